//! Performance statistics with empyrical's definitions.
