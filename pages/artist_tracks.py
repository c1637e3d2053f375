"""Placeholder: this page is built in a later issue."""

import streamlit as st

import ui

st.info(ui.tr("placeholder.soon"))
