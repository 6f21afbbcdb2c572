"""Training and evaluation CLIs: `python -m emotion.train.face`, `.speech`, `.evaluate`."""
