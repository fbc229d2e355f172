#include <gtest/gtest.h>
TEST(HttpServer, Placeholder) {}
