"""Voices: log-mel features, voice activity, and the classifier with its clip and stream modes."""

from emotion.speech.classify import SpeechClassifier, SpeechStream, VoiceReading, clip_probabilities

__all__ = ["SpeechClassifier", "SpeechStream", "VoiceReading", "clip_probabilities"]
