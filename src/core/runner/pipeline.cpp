// The shared generation steps: submit with deferral, and the exclusive claim of a clip's file name.
#include "pipeline.hpp"

#include "core/clip-library.hpp"
#include "core/file-util.hpp"
#include "core/log.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

namespace seedance::core {

SubmitWait submitWaitFromEnvironment(SubmitWait wait)
{
	const char *value = std::getenv("SEEDANCE_POLL_SCALE");
	double f = value ? std::atof(value) : 0;
	if (f > 0 && f <= 1) {
		wait.first *= f;
		wait.max *= f;
		wait.total *= f;
	}
	return wait;
}

bool submitRefusedForNow(const Error &e)
{
	return e.kind == ErrorKind::RateLimited || e.messageKey == "Error.SubmitUnavailable";
}

Result<TaskSnapshot> submitTask(ToApisClient &client, const GenerationRequest &request, const ModelSpec &model,
				const SubmitWait &wait, const CancelToken &cancel, const SubmitHooks &hooks)
{
	double waited = 0;
	for (int round = 0;; ++round) {
		if (hooks.beforeAttempt)
			hooks.beforeAttempt();
		auto created = client.createTask(request, model, cancel);
		if (created || cancel.cancelled() || !submitRefusedForNow(created.error()))
			return created;
		double delay = std::min(wait.max, wait.first * std::pow(2.0, round));
		delay = std::max(delay, created.error().retryAfterSeconds.value_or(0.0));
		if (waited + delay > wait.total)
			return created; // long enough: the provider's reason is the caller's
		int seconds = static_cast<int>(std::ceil(delay));
		if (hooks.deferred)
			hooks.deferred(seconds, created.error());
		if (cancel.waitFor(std::chrono::milliseconds(static_cast<long long>(delay * 1000.0 + 0.5))))
			return makeError(ErrorKind::Cancelled, "Error.Cancelled", "cancelled while waiting to submit");
		waited += delay;
	}
}

Result<std::string> claimClipPath(const std::string &folder, const std::string &prompt, std::int64_t createdAt)
{
	for (int tries = 0;; ++tries) {
		std::string candidate = uniqueClipPath(folder, prompt, createdAt);
		bool taken = false;
		Error claim = createFileExclusive(candidate + ".part", &taken);
		if (!claim)
			return candidate;
		if (!taken || tries >= 100)
			return claim; // the folder exists but refuses files
	}
}

Error claimOutputPath(const std::string &path)
{
	if (fileExists(path))
		return makeError(ErrorKind::InvalidInput, "Error.Disk.Exists", "will not overwrite " + path,
				 {{"path", path}});
	bool taken = false;
	Error claim = createFileExclusive(path + ".part", &taken);
	if (claim && taken)
		return makeError(ErrorKind::InvalidInput, "Error.Disk.InProgress", "another download writes " + path,
				 {{"path", path}});
	return claim;
}

} // namespace seedance::core
