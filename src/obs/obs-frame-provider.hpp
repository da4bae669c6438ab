// core::FrameProvider over libobs: the program output or a named scene/source through the FrameGrabber, or an
// image file; encoded on the runner's worker thread.
#pragma once

#include "frame-grabber.hpp"

#include "core/job-runner.hpp"

namespace seedance::obs {

class ObsFrameProvider : public core::FrameProvider {
public:
	explicit ObsFrameProvider(FrameGrabber &grabber) : grabber_(grabber) {}
	std::shared_ptr<core::FrameCapture> begin(const core::FrameRequest &request) override;

	// How long a capture may take before it fails (OBS not rendering: shutting down, or hung).
	static constexpr std::chrono::milliseconds kCaptureTimeout{5000};

private:
	FrameGrabber &grabber_;
};

} // namespace seedance::obs
