#include "api/export.h"
