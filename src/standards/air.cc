// issue 3
