// Captures the program output, the studio-mode preview or any scene/source to CPU memory without stalling the
// graphics thread: a tick-driven state machine (render → stage → map on successive frames, as OBS's own
// ScreenshotObj does), GS_RGBA in the sRGB colour space, rows copied honouring the stage surface's linesize.
#pragma once

#include "core/cancel-token.hpp"
#include "core/expected.hpp"
#include "pixel-buffer.hpp"

#include <obs.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace seedance::obs {

// Tightly packed 8-bit pixels, top row first, in `order` (the program output is staged straight from OBS's main
// texture, which may be BGRA; converting on the graphics thread would cost time there, the encoder reads both).
// Copies share the pixels (see PixelBuffer).
enum class PixelOrder { Rgba, Bgra };

struct RawFrame {
	int width = 0;
	int height = 0;
	PixelOrder order = PixelOrder::Rgba;
	PixelBuffer rgba;
	// Measurements for benchmarks: graphics-thread time spent on this capture, and frames from request to
	// pixels on the CPU.
	std::uint64_t graphicsNs = 0;
	int frames = 0;
};

// What to capture. A null source means the program output (the final mix, transitions and downstream keyers
// included). Sources are held weakly: a source removed meanwhile fails cleanly.
struct CaptureTarget {
	static CaptureTarget program() { return {}; }
	// Looks up a scene or source by name (any thread). Fails when there is none.
	static core::Result<CaptureTarget> byName(const std::string &name);
	static CaptureTarget forSource(obs_source_t *source);

	OBSWeakSource weak;
	std::string name; // for messages
	// Optional: given the source size, how much the GPU may shrink the capture (1 = full size, 2 = half size).
	// Halving on the GPU is an exact 2×2 box filter and quarters the bytes the graphics thread stages and copies,
	// so a 4K canvas costs what a 1080p one does when the upload is 1080p anyway. Runs on the graphics thread:
	// pure arithmetic only.
	std::function<int(int width, int height)> divisor;
};

// The divisor that loses nothing for an upload of `output` pixels cut from a `crop` of the full-size source.
int lossFreeDivisor(int cropWidth, int cropHeight, int outputWidth, int outputHeight);

class FrameGrabber;

// One capture in flight. wait() blocks a worker thread (never the UI or graphics thread).
class PendingCapture {
public:
	core::Result<RawFrame> wait(const core::CancelToken &cancel, std::chrono::milliseconds timeout);

private:
	friend class FrameGrabber;
	struct State;
	std::shared_ptr<State> state_;
};

class FrameGrabber {
public:
	FrameGrabber();
	~FrameGrabber();
	FrameGrabber(const FrameGrabber &) = delete;
	FrameGrabber &operator=(const FrameGrabber &) = delete;

	// Starts a capture at the next frame. Any thread; returns at once. Captures of the same target at the same size
	// asked for before the same frame share one GPU readback and one copy of the pixels.
	PendingCapture capture(CaptureTarget target);

	// Fails every pending capture ("OBS is shutting down"), unregisters from the graphics thread and frees GPU
	// objects. Call before libobs shuts down (OBS_FRONTEND_EVENT_EXIT). Idempotent; capture() fails afterwards.
	void shutdown();

	// Frames a capture may take before it fails as a timeout.
	static constexpr int kMaxFrames = 90;

private:
	struct Job;
	static void onTick(void *self, float seconds);
	void tick();
	void mergeSameFrame();
	void advance(Job &job);
	void finish(Job &job, core::Result<RawFrame> result);

	std::mutex mutex_;
	std::list<std::unique_ptr<Job>> jobs_; // touched by the graphics thread only, except under mutex_ to add
	std::list<std::unique_ptr<Job>> incoming_;
	bool registered_ = false;
	bool stopped_ = false;
};

} // namespace seedance::obs
