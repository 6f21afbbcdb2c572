"""Faces: find them (detect), read their expression (classify), or both at once (analyse).

No imports here on purpose: `emotion.face.architecture` must load on a training machine that
has neither LiteRT nor OpenCV's models, so callers import the module they need.
"""
