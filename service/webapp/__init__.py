"""The app for students and instructors: one HTML shell, plain ES modules on the public API."""
