// obs-seedance-cli entry point.
#include <cstdio>

int main()
{
	std::fprintf(stderr, "obs-seedance-cli %s\n", SEEDANCE_VERSION);
	return 0;
}
