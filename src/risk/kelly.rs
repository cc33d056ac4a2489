//! Kelly sizing.
