"""A school's classes (cohorts): named groups of its students that instructors book for."""
