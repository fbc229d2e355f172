// Placeholder: filled in by the data-quality work of issue 3.
