// The precompiled header of every test target (faultline_test in CMakeLists.txt):
// the headers most of faultline's tests include. Only third-party and standard
// headers belong here, never faultline's own, so that a change to faultline does
// not rebuild it.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
