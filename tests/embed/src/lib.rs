//! A program that embeds skill-subsidy (issue 18, point 5): its tests are in `tests/`.
