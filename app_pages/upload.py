"""Upload: a photo, video or sound clip in, a report of the emotions in it out."""

import streamlit as st

st.title("📁 Upload")
st.info("Coming soon: upload a photo, video or sound clip and get a report.", icon="🚧")
