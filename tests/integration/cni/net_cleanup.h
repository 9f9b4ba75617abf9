#pragma once
// Moved to tests/lib/net_cleanup.h (the one test library); kept so existing includes still build.
#include "tests/lib/net_cleanup.h"
