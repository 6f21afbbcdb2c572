"""Faces: find them (detect), read their expression (classify), or both at once (analyse)."""

from emotion.face.analyse import FaceAnalyzer, FaceReading
from emotion.face.classify import FaceClassifier, crop_faces
from emotion.face.detect import FaceBox, FaceDetector

__all__ = ["FaceAnalyzer", "FaceBox", "FaceClassifier", "FaceDetector", "FaceReading", "crop_faces"]
