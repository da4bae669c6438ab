// PixelBuffer: anonymous private mappings on POSIX systems, the C heap elsewhere.
#include "pixel-buffer.hpp"

#include <cstdlib>
#include <new>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#define SEEDANCE_PIXELS_MMAP 1
#endif

namespace seedance::obs {

PixelBuffer::Pages::Pages(std::size_t bytes) : size(bytes)
{
	if (bytes == 0)
		return;
#if defined(SEEDANCE_PIXELS_MMAP)
	const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
	mapped = (bytes + page - 1) / page * page;
	// Faulted in by one call (MAP_POPULATE) rather than page by page while the graphics thread copies the frame
	// in: 2000 faults per 1080p frame had raised the capture's graphics-thread time from 0.17 to 0.22 of a
	// synchronous capture's (obs-bench-capture); populated, it is back to 0.17.
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#if defined(MAP_POPULATE)
	flags |= MAP_POPULATE;
#endif
	void *p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		throw std::bad_alloc();
	data = static_cast<std::uint8_t *>(p); // anonymous pages arrive zeroed
#else
	data = static_cast<std::uint8_t *>(std::calloc(bytes, 1));
	if (!data)
		throw std::bad_alloc();
#endif
}

PixelBuffer::Pages::~Pages()
{
	if (!data)
		return;
#if defined(SEEDANCE_PIXELS_MMAP)
	munmap(data, mapped);
#else
	std::free(data);
#endif
}

void PixelBuffer::resize(std::size_t bytes)
{
	pages_ = std::make_shared<Pages>(bytes);
}

} // namespace seedance::obs
