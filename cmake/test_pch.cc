// The one source of faultline_test_pch, which builds cmake/test_pch.h for every
// test target to reuse (CMakeLists.txt, faultline_test).
