"""Live: webcam and microphone through WebRTC, with a label on each face and on the voice."""

import streamlit as st

st.title("🎥 Live")
st.info("Coming soon: live face and voice labels from your camera and microphone.", icon="🚧")
