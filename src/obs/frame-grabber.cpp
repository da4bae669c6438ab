// FrameGrabber: render on one frame, stage on the next, map and copy on the one after (no GPU sync stall).
#include "frame-grabber.hpp"

#include "core/log.hpp"

#include <util/platform.h>

#include <condition_variable>
#include <iterator>
#include <cstring>

namespace seedance::obs {

namespace {

core::Error captureError(const std::string &key, const std::string &detail, const std::string &source = {})
{
	return core::makeError(core::ErrorKind::Capture, key, detail, {{"source", source}});
}

} // namespace

struct PendingCapture::State {
	std::mutex mutex;
	std::condition_variable cv;
	bool done = false;
	std::optional<core::Result<RawFrame>> result;

	void set(core::Result<RawFrame> r)
	{
		{
			std::lock_guard<std::mutex> lock(mutex);
			if (done)
				return;
			result.emplace(std::move(r));
			done = true;
		}
		cv.notify_all();
	}
};

enum class Stage { Render, Download, Copy };

struct FrameGrabber::Job {
	CaptureTarget target;
	std::vector<std::shared_ptr<PendingCapture::State>> waiters; // one per capture() merged into this readback
	Stage stage = Stage::Render;
	gs_texrender_t *texrender = nullptr;
	gs_stagesurf_t *stagesurf = nullptr;
	uint32_t width = 0;
	uint32_t height = 0;
	PixelOrder order = PixelOrder::Rgba;
	int frames = 0;
	std::uint64_t graphicsNs = 0;
	bool finished = false;
};

int lossFreeDivisor(int cropWidth, int cropHeight, int outputWidth, int outputHeight)
{
	if (outputWidth <= 0 || outputHeight <= 0)
		return 1;
	return cropWidth / 2 >= outputWidth && cropHeight / 2 >= outputHeight ? 2 : 1;
}

core::Result<CaptureTarget> CaptureTarget::byName(const std::string &name)
{
	OBSSourceAutoRelease source = obs_get_source_by_name(name.c_str());
	if (!source)
		return captureError("Error.Capture.NoSource", "no source named " + name, name);
	return forSource(source);
}

CaptureTarget CaptureTarget::forSource(obs_source_t *source)
{
	CaptureTarget t;
	if (source) {
		t.weak = OBSGetWeakRef(source);
		t.name = obs_source_get_name(source);
	}
	return t;
}

core::Result<RawFrame> PendingCapture::wait(const core::CancelToken &cancel, std::chrono::milliseconds timeout)
{
	if (!state_)
		return captureError("Error.Capture.Shutdown", "no capture");
	auto deadline = std::chrono::steady_clock::now() + timeout;
	std::unique_lock<std::mutex> lock(state_->mutex);
	// Wake every 20 ms to notice cancellation: the token cannot notify this condition variable.
	while (!state_->done) {
		if (cancel.cancelled())
			return core::makeError(core::ErrorKind::Cancelled, "Error.Cancelled", "capture cancelled");
		if (std::chrono::steady_clock::now() >= deadline)
			return captureError("Error.Capture.Timeout",
					    "no frame within " + std::to_string(timeout.count()) + " ms");
		state_->cv.wait_for(lock, std::chrono::milliseconds(20));
	}
	return std::move(*state_->result);
}

FrameGrabber::FrameGrabber()
{
	// Registered for the grabber's lifetime: adding it per capture would take libobs' callback mutex while
	// holding ours, the reverse of the tick's order. Idle cost: one uncontended lock per frame.
	obs_add_tick_callback(onTick, this);
	registered_ = true;
}

FrameGrabber::~FrameGrabber()
{
	shutdown();
}

PendingCapture FrameGrabber::capture(CaptureTarget target)
{
	PendingCapture pending;
	pending.state_ = std::make_shared<PendingCapture::State>();
	std::lock_guard<std::mutex> lock(mutex_);
	if (stopped_) {
		pending.state_->set(captureError("Error.Capture.Shutdown", "OBS is shutting down", target.name));
		return pending;
	}
	auto job = std::make_unique<Job>();
	job->target = std::move(target);
	job->waiters.push_back(pending.state_);
	incoming_.push_back(std::move(job));
	return pending;
}

void FrameGrabber::shutdown()
{
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (stopped_)
			return;
		stopped_ = true;
	}
	if (registered_) {
		// Returns after any tick in progress has finished: nothing touches jobs_ afterwards.
		obs_remove_tick_callback(onTick, this);
		registered_ = false;
	}
	std::list<std::unique_ptr<Job>> all;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		all.splice(all.end(), jobs_);
		all.splice(all.end(), incoming_);
	}
	if (!all.empty()) {
		obs_enter_graphics();
		for (auto &job : all) {
			gs_stagesurface_destroy(job->stagesurf);
			gs_texrender_destroy(job->texrender);
		}
		obs_leave_graphics();
	}
	for (auto &job : all)
		for (auto &waiter : job->waiters)
			waiter->set(captureError("Error.Capture.Shutdown", "OBS is shutting down", job->target.name));
}

void FrameGrabber::onTick(void *self, float)
{
	static_cast<FrameGrabber *>(self)->tick();
}

void FrameGrabber::tick()
{
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (stopped_)
			return;
		jobs_.splice(jobs_.end(), incoming_);
	}
	if (jobs_.empty())
		return;
	mergeSameFrame();

	obs_enter_graphics();
	for (auto &job : jobs_) {
		std::uint64_t start = os_gettime_ns();
		advance(*job);
		job->graphicsNs += os_gettime_ns() - start;
		if (!job->finished && ++job->frames > kMaxFrames)
			finish(*job, captureError("Error.Capture.Timeout",
						  "no frame after " + std::to_string(kMaxFrames) + " frames",
						  job->target.name));
	}
	for (auto it = jobs_.begin(); it != jobs_.end();) {
		if ((*it)->finished) {
			gs_stagesurface_destroy((*it)->stagesurf);
			gs_texrender_destroy((*it)->texrender);
			it = jobs_.erase(it);
		} else {
			++it;
		}
	}
	obs_leave_graphics();
}

namespace {

// The target's full size now, and a strong reference to it (null for the program output). Graphics thread.
core::Error targetSize(const CaptureTarget &target, OBSSourceAutoRelease &source, uint32_t &width, uint32_t &height)
{
	width = height = 0;
	if (target.weak) {
		source = obs_weak_source_get_source(target.weak);
		if (!source)
			return captureError("Error.Capture.SourceGone", "source removed", target.name);
		width = obs_source_get_width(source);
		height = obs_source_get_height(source);
	} else {
		obs_video_info ovi;
		if (!obs_get_video_info(&ovi))
			return captureError("Error.Capture.Shutdown", "video not running", target.name);
		width = ovi.base_width;
		height = ovi.base_height;
	}
	if (width == 0 || height == 0)
		return captureError("Error.Capture.ZeroSize", "source has no size", target.name);
	return {};
}

int divisorFor(const CaptureTarget &target, uint32_t width, uint32_t height)
{
	int divisor = target.divisor ? target.divisor(int(width), int(height)) : 1;
	return divisor >= 2 && width >= 2 && height >= 2 ? 2 : 1;
}

} // namespace

// Captures that have not started yet are all of the frame about to be drawn: those of the same target that come out
// at the same size would stage and copy identical pixels. A burst (a Stream Deck macro, 20 websocket requests in a
// row) had staged a surface and held a frame per job: 100+ MiB at once, which malloc then kept.
void FrameGrabber::mergeSameFrame()
{
	for (auto first = jobs_.begin(); first != jobs_.end(); ++first) {
		Job &a = **first;
		if (a.finished || a.stage != Stage::Render || a.frames != 0)
			continue;
		OBSSourceAutoRelease source;
		uint32_t width = 0, height = 0;
		if (targetSize(a.target, source, width, height))
			continue; // advance() reports it
		const int divisor = divisorFor(a.target, width, height);
		for (auto it = std::next(first); it != jobs_.end();) {
			Job &b = **it;
			if (!b.finished && b.stage == Stage::Render && b.frames == 0 &&
			    b.target.weak.Get() == a.target.weak.Get() &&
			    divisorFor(b.target, width, height) == divisor) {
				a.waiters.insert(a.waiters.end(), b.waiters.begin(), b.waiters.end());
				it = jobs_.erase(it); // nothing was created for it yet
			} else {
				++it;
			}
		}
	}
}

// Runs on the graphics thread inside obs_enter_graphics(): no early return skips obs_leave_graphics.
void FrameGrabber::advance(Job &job)
{
	switch (job.stage) {
	case Stage::Render: {
		OBSSourceAutoRelease source;
		uint32_t fullWidth = 0, fullHeight = 0;
		if (core::Error error = targetSize(job.target, source, fullWidth, fullHeight)) {
			finish(job, std::move(error));
			return;
		}
		const int divisor = divisorFor(job.target, fullWidth, fullHeight);
		job.width = fullWidth / divisor;
		job.height = fullHeight / divisor;

		// sRGB: HDR content is tone-mapped to SDR, which is what the provider expects.
		const gs_color_space space = GS_CS_SRGB;
		const gs_color_format format = gs_get_format_from_space(space);

		if (!source && divisor == 1) {
			// The program output was rendered last frame into the main texture: stage that very texture
			// instead of drawing it again. Only for an 8-bit SDR canvas (RGBA or BGRA); else render below.
			gs_texture_t *main = obs_get_main_texture();
			gs_color_format mainFormat = main ? gs_texture_get_color_format(main) : GS_UNKNOWN;
			if ((mainFormat == GS_RGBA || mainFormat == GS_BGRA) &&
			    gs_texture_get_width(main) == fullWidth && gs_texture_get_height(main) == fullHeight) {
				job.stagesurf = gs_stagesurface_create(job.width, job.height, mainFormat);
				if (job.stagesurf) {
					gs_stage_texture(job.stagesurf, main);
					job.order = mainFormat == GS_BGRA ? PixelOrder::Bgra : PixelOrder::Rgba;
					job.stage = Stage::Copy;
					return;
				}
			}
		}

		job.texrender = gs_texrender_create(format, GS_ZS_NONE);
		job.stagesurf = gs_stagesurface_create(job.width, job.height, format);
		if (!job.texrender || !job.stagesurf ||
		    !gs_texrender_begin_with_color_space(job.texrender, job.width, job.height, space)) {
			finish(job,
			       captureError("Error.Capture.Gpu", "could not create render target", job.target.name));
			return;
		}
		vec4 clear;
		vec4_zero(&clear);
		gs_clear(GS_CLEAR_COLOR, &clear, 0.0f, 0);
		// Source coordinates, whatever the target size: the GPU scales (bilinear at exactly 2:1 = box filter).
		gs_ortho(0.0f, static_cast<float>(fullWidth), 0.0f, static_cast<float>(fullHeight), -100.0f, 100.0f);
		gs_blend_state_push();
		gs_blend_function(GS_BLEND_ONE, GS_BLEND_ZERO);
		if (source) {
			// A source that is not on screen (another scene, a hidden item) renders while "showing".
			obs_source_inc_showing(source);
			obs_source_video_render(source);
			obs_source_dec_showing(source);
		} else {
			obs_render_main_texture();
		}
		gs_blend_state_pop();
		gs_texrender_end(job.texrender);
		job.stage = Stage::Download;
		return;
	}
	case Stage::Download:
		// Starts the GPU→CPU transfer; mapping waits one more frame so the GPU never stalls the render loop.
		gs_stage_texture(job.stagesurf, gs_texrender_get_texture(job.texrender));
		job.stage = Stage::Copy;
		return;
	case Stage::Copy: {
		const std::uint64_t copyStart = os_gettime_ns();
		uint8_t *data = nullptr;
		uint32_t linesize = 0;
		if (!gs_stagesurface_map(job.stagesurf, &data, &linesize)) {
			finish(job,
			       captureError("Error.Capture.Gpu", "could not map the stage surface", job.target.name));
			return;
		}
		RawFrame frame;
		frame.width = static_cast<int>(job.width);
		frame.height = static_cast<int>(job.height);
		frame.order = job.order;
		const size_t row = static_cast<size_t>(job.width) * 4;
		frame.rgba.resize(row * job.height);
		if (linesize == row) {
			std::memcpy(frame.rgba.data(), data, frame.rgba.size());
		} else {
			for (uint32_t y = 0; y < job.height; ++y)
				std::memcpy(frame.rgba.data() + y * row, data + static_cast<size_t>(y) * linesize, row);
		}
		gs_stagesurface_unmap(job.stagesurf);
		frame.frames = job.frames + 1;
		frame.graphicsNs = job.graphicsNs + (os_gettime_ns() - copyStart);
		finish(job, std::move(frame));
		return;
	}
	}
}

void FrameGrabber::finish(Job &job, core::Result<RawFrame> result)
{
	if (!result)
		core::logWarning("capture of " +
				 (job.target.name.empty() ? std::string("program output") : job.target.name) +
				 " failed: " + core::describe(result.error()));
	job.finished = true;
	// Every waiter gets its own RawFrame; the pixels themselves are shared, read-only from here on.
	for (auto &waiter : job.waiters)
		waiter->set(result);
}

} // namespace seedance::obs
