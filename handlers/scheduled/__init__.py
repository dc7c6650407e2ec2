"""What runs on a timer, under a lease: sweeps, scheduled checks, retention."""
