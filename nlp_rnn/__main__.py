import sys

from nlp_rnn.cli.main import main

sys.exit(main())
