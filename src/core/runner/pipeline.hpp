// The steps of a generation that every front door runs the same way: submit (waiting out a provider that refuses
// submits for now) and claim the clip's file name. The job runner and seedance-cli both call these; neither keeps
// a copy of its own.
#pragma once

#include "core/cancel-token.hpp"
#include "core/expected.hpp"
#include "core/toapis-client.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace seedance::core {

// A submit the provider refused for now (429 that outlasted the client's retries, 503 rate_limit_unavailable)
// created no task: wait and submit again, the wait growing from `first` to `max` seconds, for at most `total`
// seconds, then give up with the provider's reason.
struct SubmitWait {
	double first = 15;
	double max = 60;
	double total = 300;
};
// Scaled like the poll schedule by SEEDANCE_POLL_SCALE (the tests' and the demo's fast clock).
SubmitWait submitWaitFromEnvironment(SubmitWait wait = {});

// True when the provider refused the submit and created nothing: submitting again cannot bill twice.
bool submitRefusedForNow(const Error &e);

struct SubmitHooks {
	// Before every request: the runner journals "submitting" here (the outcome is unknown until answered).
	std::function<void()> beforeAttempt;
	// Refused for now: about to wait `seconds`, then submit again.
	std::function<void(int seconds, const Error &why)> deferred;
};

// POST /v1/videos/generations, again after each refusal for now. Cancelled while waiting: a Cancelled error.
Result<TaskSnapshot> submitTask(ToApisClient &client, const GenerationRequest &request, const ModelSpec &model,
				const SubmitWait &wait, const CancelToken &cancel, const SubmitHooks &hooks = {});

// A new clip file in `folder`, named from the prompt and the time (clip-library.hpp), claimed by creating its
// ".part" exclusively: two jobs or two OBS instances finishing the same prompt in the same second never write
// into, or delete, each other's download.
Result<std::string> claimClipPath(const std::string &folder, const std::string &prompt, std::int64_t createdAt);

// An explicit output path (seedance-cli --output), claimed the same way: refused when the file exists or another
// download is writing it.
Error claimOutputPath(const std::string &path);

} // namespace seedance::core
