// Reverse control routes (filled in below).
