"""Read a bundle -> validate -> plan -> write, one step a module."""
