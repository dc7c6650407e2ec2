"""What runs when the worker takes an inbox item: the loop, judging events, carrying out queued
actions, onboarding and App Home."""
