//! Antifragility: barbell allocation, opportunity scores, convexity.
