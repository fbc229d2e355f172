// Placeholder: filled in by the GB 3838 / emission / EPA work of issue 3.
