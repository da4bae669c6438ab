// Catch2 main for the headless libobs tests: one libobs per process, started before and shut down after the
// tests; the number of leaked libobs allocations is a test result of its own.
#define CATCH_CONFIG_RUNNER
#include "test-framework.hpp"

#include "headless-obs.hpp"

#include "core/log.hpp"

#include <util/base.h>
#include <util/bmem.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

#if SEEDANCE_CATCH2_MAJOR >= 3
using ListenerBase = Catch::EventListenerBase;
#else
using ListenerBase = Catch::TestEventListenerBase;
#endif

// Names each test case on stderr as it starts (stdout is buffered under CTest), so a test that hangs until the
// CTest timeout says which one it was.
struct ProgressListener : ListenerBase {
	using ListenerBase::ListenerBase;
	void testCaseStarting(Catch::TestCaseInfo const &info) override
	{
		std::fprintf(stderr, "[obs-test] %s\n", info.name.c_str());
	}
};

} // namespace

CATCH_REGISTER_LISTENER(ProgressListener)

int main(int argc, char **argv)
{
	// A leak checker preloaded into this test (build-aux/leak-check) stays loaded; the programs the tests start
	// (Xvfb, ffmpeg) must not inherit it.
	unsetenv("LD_PRELOAD");
	// libobs' own log is noise in test output; warnings and errors stay.
	base_set_log_handler(
		[](int level, const char *format, va_list args, void *) {
			// "Number of remaining views" is libobs reporting its own preview views at every video reset.
			if (level <= LOG_WARNING && std::strncmp(format, "Number of remaining views", 25) != 0) {
				std::vfprintf(stderr, format, args);
				std::fputc('\n', stderr);
			}
		},
		nullptr);
	int result;
	{
		seedance::test::HeadlessObs obs;
		obs.loadModule("image-source");
		obs.loadModule("obs-ffmpeg");
		obs.postLoad();
		result = Catch::Session().run(argc, argv);
	}
	long leaks = bnum_allocs();
	std::fprintf(stderr, "libobs allocations still held after shutdown: %ld\n", leaks);
	if (leaks > 0 && result == 0)
		result = 1;
	return result;
}
