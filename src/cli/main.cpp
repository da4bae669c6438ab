// obs-seedance-cli: the core client from a terminal. Commands, options and exit codes are a public contract
// (README "Command-line client").
#include "core/file-util.hpp"
#include "core/image-info.hpp"
#include "core/log.hpp"
#include "core/model-catalog.hpp"
#include "core/redact.hpp"
#include "core/runner/pipeline.hpp"
#include "core/text.hpp"
#include "core/toapis-client.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#ifdef _WIN32
#include <windows.h>
#else
#include <pthread.h>
#include <signal.h>
#endif

using namespace seedance::core;
using nlohmann::json;

namespace {

enum Exit {
	kOk = 0,
	kOther = 1,
	kUsage = 2,      // invalid usage or validation: nothing was sent
	kAuth = 3,       // 401/402/403
	kGeneration = 4, // failed status, 422
	kNetwork = 5,    // network or server unavailable after retries
};

const char *kUsageText =
	"Usage: obs-seedance-cli <command> [options]\n"
	"\n"
	"Commands:\n"
	"  generate --prompt TEXT --output FILE [--first-frame IMG] [--last-frame IMG] [--model ID]\n"
	"           [--duration S] [--aspect-ratio R] [--resolution R] [--audio] [--seed N] [--camera-fixed]\n"
	"           Upload the frames, submit, poll (progress on stderr) and download the clip.\n"
	"           Prints the task id on stdout as soon as it is known.\n"
	"  status TASK_ID                 Print the task as JSON.\n"
	"  download TASK_ID --output FILE Download a completed task's clip.\n"
	"  upload IMG                     Upload an image and print its URL.\n"
	"  models                         Print the model catalog with each model's limits (JSON).\n"
	"\n"
	"Options for every command: --base-url URL (else TOAPIS_BASE_URL, else https://toapis.com), --verbose.\n"
	"The API key is read from the TOAPIS_API_KEY environment variable only.\n"
	"\n"
	"Exit codes: 0 success; 2 invalid usage or validation (nothing sent); 3 authentication, permission or\n"
	"quota; 4 generation failed or rejected; 5 network or server unavailable after retries; 1 anything else.\n";

CancelToken &interruptToken()
{
	static CancelToken token;
	return token;
}

// Ctrl+C / SIGTERM cancel the current wait so the CLI exits cleanly (and says how to resume). Locking a mutex is
// not allowed in a signal handler, so a watcher thread receives the signals instead.
class InterruptWatcher {
public:
	InterruptWatcher()
	{
#ifdef _WIN32
		SetConsoleCtrlHandler(
			[](DWORD) -> BOOL {
				interruptToken().cancel(CancelReason::User);
				return TRUE;
			},
			TRUE);
#else
		sigemptyset(&signals_);
		sigaddset(&signals_, SIGINT);
		sigaddset(&signals_, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &signals_, nullptr); // before any other thread starts: all inherit it
		thread_ = std::thread([this] {
			timespec tick{0, 100 * 1000 * 1000};
			while (!stop_) {
				if (sigtimedwait(&signals_, nullptr, &tick) > 0)
					interruptToken().cancel(CancelReason::User);
			}
		});
#endif
	}
	~InterruptWatcher()
	{
#ifndef _WIN32
		stop_ = true;
		thread_.join();
#endif
	}

private:
#ifndef _WIN32
	sigset_t signals_;
	std::atomic<bool> stop_{false};
	std::thread thread_;
#endif
};

int exitCodeFor(const Error &e)
{
	switch (e.kind) {
	case ErrorKind::None:
		return kOk;
	case ErrorKind::InvalidInput:
		return kUsage;
	case ErrorKind::Auth:
	case ErrorKind::Quota:
	case ErrorKind::Permission:
		return kAuth;
	case ErrorKind::GenerationFailed:
	case ErrorKind::ContentRejected:
		return kGeneration;
	case ErrorKind::Network:
	case ErrorKind::ServerUnavailable:
	case ErrorKind::RateLimited:
	case ErrorKind::Timeout:
	case ErrorKind::Tls:
		return kNetwork;
	default:
		return kOther;
	}
}

int fail(const Error &e)
{
	logDebug(describe(e));
	std::fprintf(stderr, "error: %s\n", userMessage(e).c_str());
	return exitCodeFor(e);
}

int usageError(const std::string &message)
{
	std::fprintf(stderr, "error: %s\n(see obs-seedance-cli --help)\n", redact(message).c_str());
	return kUsage;
}

struct Args {
	std::string command;
	std::vector<std::string> positional;
	std::map<std::string, std::string> options; // --name value
	std::map<std::string, bool> flags;          // --name
};

const std::map<std::string, bool> kKnownOptions = {
	// name → takes a value
	{"prompt", true},       {"first-frame", true}, {"last-frame", true}, {"model", true}, {"duration", true},
	{"aspect-ratio", true}, {"resolution", true},  {"audio", false},     {"seed", true},  {"camera-fixed", false},
	{"output", true},       {"base-url", true},    {"verbose", false},   {"help", false}, {"version", false},
};

std::optional<std::string> parseArgs(int argc, char **argv, Args &args)
{
	for (int i = 1; i < argc; ++i) {
		std::string a = argv[i];
		if (a.rfind("--", 0) == 0) {
			std::string name = a.substr(2);
			std::string value;
			bool inlineValue = false;
			if (auto eq = name.find('='); eq != std::string::npos) {
				value = name.substr(eq + 1);
				name = name.substr(0, eq);
				inlineValue = true;
			}
			if (name == "api-key" || name == "key")
				return std::string(
					"the API key is read from TOAPIS_API_KEY only (never from the command "
					"line, where other users can see it)");
			auto known = kKnownOptions.find(name);
			if (known == kKnownOptions.end())
				return "unknown option --" + name;
			if (known->second) {
				if (!inlineValue) {
					if (i + 1 >= argc)
						return "--" + name + " needs a value";
					value = argv[++i];
				}
				args.options[name] = value;
			} else {
				if (inlineValue)
					return "--" + name + " takes no value";
				args.flags[name] = true;
			}
		} else if (args.command.empty()) {
			args.command = a;
		} else {
			args.positional.push_back(a);
		}
	}
	return std::nullopt;
}

std::optional<long long> parseInteger(const std::string &text)
{
	if (text.empty())
		return std::nullopt;
	char *end = nullptr;
	errno = 0;
	long long v = std::strtoll(text.c_str(), &end, 10);
	if (errno || !end || *end)
		return std::nullopt;
	return v;
}

std::string formatBytes(std::uint64_t bytes)
{
	char buf[32];
	std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1048576.0);
	return buf;
}

Result<std::string> readImage(const std::string &path)
{
	Error readError;
	auto bytes = readFile(path, kMaxUploadBytes + 1, &readError);
	if (!bytes) {
		if (readError)
			return makeError(
				ErrorKind::InvalidInput, "Error.Image.TooLarge", path + " too large or unreadable",
				{{"file", path}, {"size_mb", std::to_string(fileSize(path).value_or(0) / 1048576)}});
		return makeError(ErrorKind::InvalidInput, "Error.Disk.Read", "no such file " + path, {{"path", path}});
	}
	if (Error e = checkUploadable(*bytes, path))
		return e;
	return *bytes;
}

json catalogJson()
{
	json out = json::array();
	for (const auto &m : ModelCatalog::builtin().models()) {
		json model = {
			{"id", m.id},
			{"name", m.name},
			{"duration",
			 {{"min", m.duration.min}, {"max", m.duration.max}, {"default", m.duration.defaultValue}}},
			{"resolutions", m.resolutions},
			{"default_resolution", m.defaultResolution},
			{"aspect_ratios", m.aspectRatios},
			{"default_aspect_ratio", m.defaultAspectRatio},
			{"first_frame", m.firstFrame},
			{"last_frame", m.lastFrame},
			{"audio", m.supports("audio")},
			{"seed", m.supports("seed")},
			{"camera_fixed", m.supports("camera_fixed")}};
		if (m.duration.autoValue)
			model["duration"]["auto"] = *m.duration.autoValue;
		out.push_back(model);
	}
	return out;
}

json taskJson(const TaskSnapshot &t)
{
	json j = {{"id", t.id}, {"status", t.status}};
	j["state"] = t.state == TaskState::Succeeded ? "succeeded"
		     : t.state == TaskState::Failed  ? "failed"
						     : "waiting";
	if (t.progress)
		j["progress"] = *t.progress;
	if (t.createdAt)
		j["created_at"] = *t.createdAt;
	if (t.completedAt)
		j["completed_at"] = *t.completedAt;
	if (t.expiresAt)
		j["expires_at"] = *t.expiresAt;
	if (!t.videoUrl.empty())
		j["video_url"] =
			stripQuery(t.videoUrl) + (t.videoUrl.find('?') != std::string::npos ? "?[redacted]" : "");
	if (t.failure) {
		j["error"] = {{"code", t.failure.providerCode}, {"message", t.failure.providerMessage}};
	}
	return j;
}

Error checkOutputPath(const std::string &output)
{
	if (output.empty())
		return makeError(ErrorKind::InvalidInput, "Error.Invalid.Output", "no --output", {});
	auto parent = std::filesystem::u8path(output).parent_path();
	std::error_code ec;
	if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
		return makeError(ErrorKind::InvalidInput, "Error.Disk.Folder", "no folder " + parent.u8string(),
				 {{"path", parent.u8string()}, {"reason", "it does not exist"}});
	// Claimed like a clip in the clip folder: an existing file is never overwritten, and two downloads never
	// write one file.
	return claimOutputPath(output);
}

// The ".part" claimed by checkOutputPath goes when the command ends without a clip (a finished download renamed
// it already).
class OutputClaim {
public:
	explicit OutputClaim(std::string output) : part_(std::move(output) + ".part") {}
	~OutputClaim() { removeFile(part_); }
	OutputClaim(const OutputClaim &) = delete;
	OutputClaim &operator=(const OutputClaim &) = delete;

private:
	std::string part_;
};

class Cli {
public:
	Cli(Args args, ClientConfig config) : args_(std::move(args)), client_(engine_, std::move(config)) {}
	~Cli() { engine_.shutdown(); }

	int run()
	{
		const std::string &c = args_.command;
		if (c == "models")
			return models();
		if (Error e = client_.checkConfig()) {
			if (e.messageKey == "Error.NoKey")
				e.messageKey = "Error.NoKey.Cli";
			return fail(e);
		}
		if (c == "generate")
			return generate();
		if (c == "status")
			return status();
		if (c == "download")
			return download();
		if (c == "upload")
			return upload();
		return usageError("unknown command \"" + c + "\"");
	}

private:
	const CancelToken &cancel() { return interruptToken(); }

	int models()
	{
		std::cout << catalogJson().dump(2) << std::endl;
		return kOk;
	}

	int upload()
	{
		if (args_.positional.size() != 1)
			return usageError("upload takes one image path");
		auto bytes = readImage(args_.positional[0]);
		if (!bytes)
			return fail(bytes.error());
		auto uploaded = client_.uploadImage(*bytes, args_.positional[0], cancel());
		if (!uploaded)
			return fail(uploaded.error());
		std::cout << uploaded->url << std::endl;
		return kOk;
	}

	int status()
	{
		if (args_.positional.size() != 1)
			return usageError("status takes one task id");
		auto task = client_.getTask(args_.positional[0], cancel());
		if (!task)
			return fail(task.error());
		std::cout << taskJson(*task).dump(2) << std::endl;
		return kOk;
	}

	int download()
	{
		if (args_.positional.size() != 1)
			return usageError("download takes one task id");
		std::string output = args_.options["output"];
		if (Error e = checkOutputPath(output))
			return fail(e);
		OutputClaim claim(output);
		auto task = client_.getTask(args_.positional[0], cancel());
		if (!task)
			return fail(task.error());
		if (task->state == TaskState::Failed)
			return fail(task->failure);
		if (task->state != TaskState::Succeeded)
			return fail(makeError(ErrorKind::Internal, "Error.NotReady", "task not finished",
					      {{"task", task->id}, {"status", task->status}}));
		return fetch(task->videoUrl, output);
	}

	int fetch(const std::string &url, const std::string &output)
	{
		auto result = client_.download(url, output, cancel(), [](std::uint64_t received, auto) {
			std::fprintf(stderr, "\rdownloading %s   ", formatBytes(received).c_str());
		});
		std::fprintf(stderr, "\n");
		if (!result)
			return fail(result.error());
		std::fprintf(stderr, "saved %s (%s)\n", output.c_str(), formatBytes(result->bytes).c_str());
		return kOk;
	}

	int generate()
	{
		GenerationRequest request;
		if (auto it = args_.options.find("model"); it != args_.options.end())
			request.model = it->second;
		request.prompt = args_.options["prompt"];
		if (auto it = args_.options.find("duration"); it != args_.options.end()) {
			auto v = parseInteger(it->second);
			if (!v || *v < -1000 || *v > 1000)
				return usageError("--duration needs whole seconds, e.g. 5");
			request.duration = static_cast<int>(*v);
		}
		if (auto it = args_.options.find("aspect-ratio"); it != args_.options.end())
			request.aspectRatio = it->second;
		if (auto it = args_.options.find("resolution"); it != args_.options.end())
			request.resolution = it->second;
		if (args_.flags.count("audio"))
			request.audio = true;
		if (args_.flags.count("camera-fixed"))
			request.cameraFixed = true;
		if (auto it = args_.options.find("seed"); it != args_.options.end()) {
			auto v = parseInteger(it->second);
			if (!v)
				return usageError("--seed needs a whole number");
			request.seed = *v;
		}
		std::string firstPath = args_.options.count("first-frame") ? args_.options["first-frame"] : "";
		std::string lastPath = args_.options.count("last-frame") ? args_.options["last-frame"] : "";

		// Everything is checked before the first byte is sent: nothing is billed for a typo.
		if (Error e =
			    validateRequest(request, ModelCatalog::builtin(), {!firstPath.empty(), !lastPath.empty()}))
			return fail(e);
		const ModelSpec &spec = *ModelCatalog::builtin().find(request.model);
		std::string output = args_.options["output"];
		if (Error e = checkOutputPath(output))
			return fail(e);
		OutputClaim claim(output);
		std::optional<std::string> firstBytes, lastBytes;
		if (!firstPath.empty()) {
			auto r = readImage(firstPath);
			if (!r)
				return fail(r.error());
			firstBytes = *r;
		}
		if (!lastPath.empty()) {
			auto r = readImage(lastPath);
			if (!r)
				return fail(r.error());
			lastBytes = *r;
		}

		if (firstBytes) {
			std::fprintf(stderr, "uploading first frame\n");
			auto up = client_.uploadImage(*firstBytes, firstPath, cancel());
			if (!up)
				return fail(up.error());
			request.firstFrameUrl = up->url;
		}
		if (lastBytes) {
			std::fprintf(stderr, "uploading last frame\n");
			auto up = client_.uploadImage(*lastBytes, lastPath, cancel());
			if (!up)
				return fail(up.error());
			request.lastFrameUrl = up->url;
		}

		std::fprintf(stderr, "submitting to %s\n", spec.id.c_str());
		double submittedAt = monotonicSeconds();
		SubmitHooks hooks;
		hooks.beforeAttempt = [&] {
			submittedAt = monotonicSeconds();
		};
		hooks.deferred = [](int seconds, const Error &why) {
			std::fprintf(stderr, "the provider refused the submit for now (%s); submitting again in %d s\n",
				     userMessage(why).c_str(), seconds);
		};
		auto created = submitTask(client_, request, spec, submitWaitFromEnvironment(), cancel(), hooks);
		if (!created)
			return fail(created.error());
		std::cout << created->id << std::endl; // as soon as it is known: scripts can resume with it

		auto done =
			client_.waitForTask(created->id, submittedAt, pollConfigFromEnvironment(), cancel(),
					    [](const TaskSnapshot &t, std::optional<double> left) {
						    std::string line = t.status;
						    if (t.progress)
							    line += " " + std::to_string(*t.progress) + "%";
						    if (left)
							    line += " (about " +
								    std::to_string(static_cast<int>(std::ceil(*left))) +
								    " s left)";
						    std::fprintf(stderr, "%s\n", line.c_str());
					    });
		if (!done) {
			if (done.error().kind == ErrorKind::Cancelled)
				std::fprintf(stderr,
					     "stopped waiting; the task %s keeps running at the provider (resume with "
					     "`obs-seedance-cli download %s --output FILE`)\n",
					     created->id.c_str(), created->id.c_str());
			return fail(done.error());
		}
		return fetch(done->videoUrl, output);
	}

	Args args_;
	HttpEngine engine_;
	ToApisClient client_;
};

} // namespace

int main(int argc, char **argv)
{
	std::setlocale(LC_ALL, "");
	const char *lang = std::getenv("LC_ALL");
	if (!lang || !*lang)
		lang = std::getenv("LANG");
	setLanguage(lang ? lang : "en-US");

	Args args;
	if (auto problem = parseArgs(argc, argv, args))
		return usageError(*problem);
	if (args.flags.count("help")) {
		std::fputs(kUsageText, stdout);
		return kOk;
	}
	if (args.flags.count("version")) {
		std::printf("obs-seedance-cli %s\n", SEEDANCE_VERSION);
		return kOk;
	}
	if (args.command.empty()) {
		std::fputs(kUsageText, stderr);
		return kUsage;
	}

	bool verbose = args.flags.count("verbose") > 0;
	setLogSink([verbose](LogLevel level, const std::string &line) {
		if (verbose || level >= LogLevel::Warning)
			std::fprintf(stderr, "%s\n", line.c_str());
	});

	ClientConfig config;
	if (const char *key = std::getenv("TOAPIS_API_KEY"))
		config.apiKey = key;
	if (auto it = args.options.find("base-url"); it != args.options.end())
		config.baseUrl = it->second;
	else if (const char *base = std::getenv("TOAPIS_BASE_URL"); base && *base)
		config.baseUrl = base;

	InterruptWatcher watcher;
	int code = Cli(std::move(args), config).run();
	setLogSink(nullptr);
	return code;
}
