#include <gtest/gtest.h>
TEST(Export, Placeholder) {}
