// Headless libobs for tests (label obs): a private Xvfb, libobs with the OpenGL renderer on EGL/X11, and the OBS
// modules a test needs, opened one by one (never obs_load_all_modules: UI modules would create widgets).
#pragma once

#include <obs.hpp>

#include <functional>
#include <string>

namespace seedance::test {

class HeadlessObs {
public:
	// Starts Xvfb and libobs with a canvas of width×height at 30 fps. One instance per process.
	HeadlessObs(int width = 1280, int height = 720);
	~HeadlessObs();

	// Changes the canvas (no output may be active).
	void resetVideo(int width, int height, int fps = 30);
	// Opens and initialises an OBS module by file name ("image-source", "obs-ffmpeg"), from the system's OBS.
	void loadModule(const std::string &name);
	// Opens a module from an absolute path (the plugin under test); returns obs_open_module's/obs_init_module's
	// success.
	bool loadModuleFrom(const std::string &binary, const std::string &dataDir);
	void postLoad();

	int width() const { return width_; }
	int height() const { return height_; }
	const std::string &display() const { return display_; }

	// Waits for `frames` rendered frames (sleeps frames × frame time + margin).
	void waitFrames(int frames) const;

	// obs_queue_task(OBS_TASK_UI, ...) lands on this process's stand-in UI thread. Runs `fn` there and waits.
	void runOnUi(const std::function<void()> &fn);
	// Waits until every UI task queued so far has run.
	void drainUi();

private:
	int xvfbPid_ = -1;
	std::string display_;
	void *xDisplay_ = nullptr;
	int width_ = 0;
	int height_ = 0;
	int fps_ = 30;
};

// The process-wide instance created by the test main (obs-test-main.cpp).
HeadlessObs &headlessObs();

// RAII helpers for building scenes in tests.
OBSSourceAutoRelease makeColorSource(const std::string &name, uint32_t abgr, int width, int height);

// Makes the clip at `path` with `ffmpeg -y -loglevel error <ffmpegArgs> <file>` and returns `path`.
// Written beside its name and renamed into place: another test process (build-aux/soak-headless --jobs 2) may be
// playing the previous copy, and ffmpeg rewriting a file under a looping Media Source ends the loop (7 of 80 soak
// runs of "hold and loop keep the item" failed so, before this).
std::string makeTestClip(const std::string &path, const std::string &ffmpegArgs);

} // namespace seedance::test
