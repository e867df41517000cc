"""The ``nlp-rnn`` command. Modules here import only argparse at load time, so ``--help`` is instant;
each command imports torch and friends when it runs."""
