"""What pages share: cached store access (the only st.cache_* wrappers), widgets and charts."""
