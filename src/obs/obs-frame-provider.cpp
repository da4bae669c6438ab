// Frame captures for jobs.
#include "obs-frame-provider.hpp"

#include "image-encode.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace seedance::obs {

namespace {

// glibc raises its mmap threshold each time a large block is freed, so a capture's pixels (8 MiB at 1080p) and the
// encoder's temporaries soon come from the heap, and freeing them does not shrink OBS: a burst of 20 captures left
// it 110 MiB larger for good (measured by build-aux/bench). Hand the freed pages back once a frame is encoded; each
// call only has that one frame's pages to return, so it is cheap, and it runs on the prep worker.
void returnFreedMemory()
{
#if defined(__GLIBC__)
	malloc_trim(0);
#endif
}

class Capture : public core::FrameCapture {
public:
	Capture(core::FrameRequest request) : request_(std::move(request)) {}

	void startGrab(FrameGrabber &grabber, CaptureTarget target) { pending_ = grabber.capture(std::move(target)); }
	void setError(core::Error e) { error_ = std::move(e); }

	core::Error waitCaptured(const core::CancelToken &cancel) override
	{
		if (error_)
			return error_;
		if (!request_.choice.file.empty()) {
			auto frame = loadImageFile(request_.choice.file);
			if (!frame)
				return frame.error();
			frame_ = std::move(*frame);
			return {};
		}
		auto frame = pending_.wait(cancel, ObsFrameProvider::kCaptureTimeout);
		if (!frame)
			return frame.error();
		frame_ = std::move(*frame);
		return {};
	}

	core::Result<core::EncodedFrame> encode(const core::CancelToken &cancel) override
	{
		if (cancel.cancelled())
			return core::makeError(core::ErrorKind::Cancelled, "Error.Cancelled", "cancelled");
		if (!frame_)
			return core::makeError(core::ErrorKind::Capture, "Error.Capture.Timeout", "no frame captured");
		const core::ModelSpec *spec = core::ModelCatalog::builtin().find(request_.model);
		if (!spec)
			return core::makeError(core::ErrorKind::InvalidInput, "Error.Invalid.Model", "unknown model",
					       {{"value", request_.model},
						{"allowed", core::ModelCatalog::kDefaultModel}});
		auto layout = core::planFrame(frame_->width, frame_->height, request_.aspectRatio, request_.resolution,
					      *spec);
		if (!layout)
			return layout.error();
		auto image = encodeFrame(*frame_, *layout);
		frame_.reset(); // free the pixels as soon as they are encoded
		returnFreedMemory();
		if (!image)
			return image.error();
		return core::EncodedFrame{std::move(*image), layout->aspectRatio};
	}

private:
	core::FrameRequest request_;
	PendingCapture pending_;
	std::optional<RawFrame> frame_;
	core::Error error_;
};

} // namespace

std::shared_ptr<core::FrameCapture> ObsFrameProvider::begin(const core::FrameRequest &request)
{
	auto capture = std::make_shared<Capture>(request);
	if (!request.choice.file.empty())
		return capture; // read on the worker
	CaptureTarget target = CaptureTarget::program();
	if (!request.choice.source.empty()) {
		auto named = CaptureTarget::byName(request.choice.source);
		if (!named) {
			capture->setError(named.error());
			return capture;
		}
		target = std::move(*named);
	}
	// Let the GPU halve the capture when the upload is at most half its size (4K canvas, 1080p upload).
	std::string ratio = request.aspectRatio, resolution = request.resolution, model = request.model;
	target.divisor = [ratio, resolution, model](int width, int height) {
		const core::ModelSpec *spec = core::ModelCatalog::builtin().find(model);
		if (!spec)
			return 1;
		auto full = core::planFrame(width, height, ratio, resolution, *spec);
		return full ? lossFreeDivisor(full->crop.width, full->crop.height, full->output.width,
					      full->output.height)
			    : 1;
	};
	capture->startGrab(grabber_, std::move(target));
	return capture;
}

} // namespace seedance::obs
