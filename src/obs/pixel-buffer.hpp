// Storage for captured pixels: whole pages from the kernel, shared read-only between the captures of one frame,
// and handed back to the system the moment the last holder lets go.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace seedance::obs {

// Why not std::vector: glibc raises its mmap threshold each time a large block is freed, so after the first capture
// every later frame (8 MiB at 1080p) came from a thread's malloc arena, and a burst of captures left those arenas
// holding their peak for good (20 jobs at once: OBS stayed 13–17 MiB larger, build-aux/bench). Pages mapped here
// never enter malloc's books: freeing them always shrinks the process.
//
// Copies share the same pages (a burst of jobs clicked in the same frame gets one capture). Writers fill a buffer
// they have just sized with resize(), before handing it on; after that it is only read.
class PixelBuffer {
public:
	PixelBuffer() = default;

	// Fresh zeroed storage of `bytes`; the previous contents are not kept (and other holders keep theirs).
	void resize(std::size_t bytes);
	void clear() { pages_.reset(); }

	std::size_t size() const { return pages_ ? pages_->size : 0; }
	bool empty() const { return size() == 0; }
	std::uint8_t *data() { return pages_ ? pages_->data : nullptr; }
	const std::uint8_t *data() const { return pages_ ? pages_->data : nullptr; }
	std::uint8_t operator[](std::size_t i) const { return pages_->data[i]; }
	// How many RawFrames (or other holders) share these pages; for tests.
	long holders() const { return pages_.use_count(); }

private:
	struct Pages {
		explicit Pages(std::size_t bytes);
		~Pages();
		Pages(const Pages &) = delete;
		Pages &operator=(const Pages &) = delete;
		std::uint8_t *data = nullptr;
		std::size_t size = 0;
		std::size_t mapped = 0;
	};
	std::shared_ptr<Pages> pages_;
};

} // namespace seedance::obs
