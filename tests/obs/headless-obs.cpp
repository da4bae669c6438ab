// Headless libobs fixture.
#include "headless-obs.hpp"

#include <obs-nix-platform.h>

#include <X11/Xlib.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace seedance::test {

namespace {

HeadlessObs *g_instance = nullptr;

// A stand-in for OBS's Qt UI thread: obs_queue_task(OBS_TASK_UI, ...) runs here, in order.
class UiThread {
public:
	UiThread() : thread_([this] { loop(); }) {}
	~UiThread()
	{
		{
			std::lock_guard<std::mutex> lock(mutex_);
			stop_ = true;
		}
		cv_.notify_all();
		thread_.join();
	}
	void post(std::function<void()> fn)
	{
		{
			std::lock_guard<std::mutex> lock(mutex_);
			queue_.push_back(std::move(fn));
		}
		cv_.notify_all();
	}

private:
	void loop()
	{
		while (true) {
			std::function<void()> fn;
			{
				std::unique_lock<std::mutex> lock(mutex_);
				cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
				if (queue_.empty())
					return;
				fn = std::move(queue_.front());
				queue_.pop_front();
			}
			fn();
		}
	}
	std::mutex mutex_;
	std::condition_variable cv_;
	std::deque<std::function<void()>> queue_;
	bool stop_ = false;
	std::thread thread_;
};

UiThread *g_ui = nullptr;

void uiTaskHandler(obs_task_t task, void *param, bool wait)
{
	if (!g_ui) {
		task(param); // shutting down: run in place
		return;
	}
	if (!wait) {
		g_ui->post([task, param] { task(param); });
		return;
	}
	std::promise<void> done;
	g_ui->post([&] {
		task(param);
		done.set_value();
	});
	done.get_future().wait();
}

// OBS_PLUGIN_DESTINATION and OBS_DATA_PATH are relative to the prefix OBS was installed to (tests/obs/CMakeLists.txt).
std::string systemPluginDir()
{
	return std::string(SEEDANCE_OBS_PREFIX "/") + OBS_PLUGIN_DESTINATION;
}

std::string systemDataDir(const std::string &module)
{
	return std::string(SEEDANCE_OBS_PREFIX "/") + OBS_DATA_PATH + "/obs-plugins/" + module;
}

} // namespace

HeadlessObs &headlessObs()
{
	if (!g_instance)
		throw std::runtime_error("HeadlessObs not started");
	return *g_instance;
}

HeadlessObs::HeadlessObs(int width, int height)
{
	// Xvfb chooses a free display and writes its number to the pipe (-displayfd).
	int fds[2];
	if (pipe(fds) != 0)
		throw std::runtime_error("pipe");
	pid_t parent = getpid();
	xvfbPid_ = fork();
	if (xvfbPid_ == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM); // never outlive the test
		if (getppid() != parent)
			_exit(1);
		close(fds[0]);
		std::string fd = std::to_string(fds[1]);
		execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1920x1080x24", "-nolisten", "tcp",
		       "-noreset", static_cast<char *>(nullptr));
		_exit(127);
	}
	close(fds[1]);
	std::string number;
	char c;
	while (read(fds[0], &c, 1) == 1 && c != '\n')
		number += c;
	close(fds[0]);
	if (number.empty())
		throw std::runtime_error("Xvfb did not start");
	display_ = ":" + number;
	setenv("DISPLAY", display_.c_str(), 1);

	Display *dpy = XOpenDisplay(display_.c_str());
	if (!dpy)
		throw std::runtime_error("cannot open X display " + display_);
	xDisplay_ = dpy;
	obs_set_nix_platform(OBS_NIX_PLATFORM_X11_EGL);
	obs_set_nix_platform_display(dpy);
	if (!obs_startup("en-US", nullptr, nullptr))
		throw std::runtime_error("obs_startup failed");
	g_ui = new UiThread();
	obs_set_ui_task_handler(uiTaskHandler);
	resetVideo(width, height);
	obs_audio_info audio = {};
	audio.samples_per_sec = 48000;
	audio.speakers = SPEAKERS_STEREO;
	if (!obs_reset_audio(&audio))
		throw std::runtime_error("obs_reset_audio failed");
	g_instance = this;
}

HeadlessObs::~HeadlessObs()
{
	obs_set_output_source(0, nullptr);
	drainUi();
	// The stand-in UI thread entered the graphics context (scene updates): it must end while the GL driver is
	// still loaded, or its thread-exit destructors point into an unloaded library.
	delete g_ui;
	g_ui = nullptr;
	obs_shutdown();
	if (xDisplay_)
		XCloseDisplay(static_cast<Display *>(xDisplay_));
	if (xvfbPid_ > 0) {
		kill(xvfbPid_, SIGTERM);
		waitpid(xvfbPid_, nullptr, 0);
	}
	g_instance = nullptr;
}

void HeadlessObs::resetVideo(int width, int height, int fps)
{
	obs_video_info ovi = {};
	ovi.fps_num = static_cast<uint32_t>(fps);
	ovi.fps_den = 1;
	ovi.base_width = static_cast<uint32_t>(width);
	ovi.base_height = static_cast<uint32_t>(height);
	ovi.output_width = static_cast<uint32_t>(width);
	ovi.output_height = static_cast<uint32_t>(height);
	ovi.output_format = VIDEO_FORMAT_NV12;
	ovi.colorspace = VIDEO_CS_709;
	ovi.range = VIDEO_RANGE_PARTIAL;
	ovi.adapter = 0;
	ovi.gpu_conversion = true;
	ovi.scale_type = OBS_SCALE_BICUBIC;
	// The renderer's file name differs between OBS packages (Debian's OBS 29 and 30: .so.1, 32: .so.0).
	int result = OBS_VIDEO_MODULE_NOT_FOUND;
	for (const char *module : {"libobs-opengl.so.1", "libobs-opengl.so.0", "libobs-opengl.so"}) {
		ovi.graphics_module = module;
		result = obs_reset_video(&ovi);
		if (result != OBS_VIDEO_MODULE_NOT_FOUND)
			break;
	}
	if (result != OBS_VIDEO_SUCCESS)
		throw std::runtime_error("obs_reset_video failed: " + std::to_string(result));
	width_ = width;
	height_ = height;
	fps_ = fps;
}

void HeadlessObs::loadModule(const std::string &name)
{
	if (!loadModuleFrom(systemPluginDir() + "/" + name + ".so", systemDataDir(name)))
		throw std::runtime_error("could not load OBS module " + name);
}

bool HeadlessObs::loadModuleFrom(const std::string &binary, const std::string &dataDir)
{
	obs_module_t *module = nullptr;
	if (obs_open_module(&module, binary.c_str(), dataDir.c_str()) != MODULE_SUCCESS)
		return false;
	return obs_init_module(module);
}

void HeadlessObs::postLoad()
{
	obs_post_load_modules();
}

void HeadlessObs::runOnUi(const std::function<void()> &fn)
{
	std::promise<void> done;
	g_ui->post([&] {
		fn();
		done.set_value();
	});
	done.get_future().wait();
}

void HeadlessObs::drainUi()
{
	runOnUi([] {});
}

void HeadlessObs::waitFrames(int frames) const
{
	std::this_thread::sleep_for(std::chrono::milliseconds(frames * 1000 / fps_ + 50));
}

OBSSourceAutoRelease makeColorSource(const std::string &name, uint32_t abgr, int width, int height)
{
	OBSDataAutoRelease settings = obs_data_create();
	obs_data_set_int(settings, "color", abgr);
	obs_data_set_int(settings, "width", width);
	obs_data_set_int(settings, "height", height);
	return obs_source_create("color_source_v3", name.c_str(), settings, nullptr);
}

std::string makeTestClip(const std::string &path, const std::string &ffmpegArgs)
{
	std::string partial = path + "." + std::to_string(getpid()) + ".part.mp4";
	std::string cmd = "ffmpeg -y -loglevel error " + ffmpegArgs + " '" + partial + "'";
	if (std::system(cmd.c_str()) != 0 || std::rename(partial.c_str(), path.c_str()) != 0) {
		std::remove(partial.c_str());
		throw std::runtime_error("ffmpeg could not make the test clip " + path);
	}
	return path;
}

} // namespace seedance::test
