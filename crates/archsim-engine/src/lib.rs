//! archsim engine (in progress).
