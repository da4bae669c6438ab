// Fuzz target: create and query answers (parseTaskResponse), every error envelope (errorFromResponse), Retry-After
// and the JSON depth guard. Input: an HTTP response in the format of fuzz-support.hpp.
#include "fuzz-support.hpp"

#include <set>

using namespace seedance;
using core::Operation;
using core::TaskState;

namespace {

void checkSnapshot(const core::TaskSnapshot &s)
{
	// The id goes into the query URL path: it must be present and unable to change the path.
	FUZZ_CHECK(!s.id.empty() && s.id.size() <= 256);
	FUZZ_CHECK(s.id.find_first_of("/?#\\ \r\n\t") == std::string::npos);
	FUZZ_CHECK(!s.status.empty());
	// The state is the one the (clipped) status text stands for, so the job list and the runner agree.
	FUZZ_CHECK(s.state == core::classifyStatus(s.status));
	if (s.progress)
		FUZZ_CHECK(*s.progress >= 0 && *s.progress <= 100);
	for (const auto &t : {s.createdAt, s.completedAt})
		if (t)
			FUZZ_CHECK(*t > 0 && *t <= 100000000000LL);
	if (s.expiresAt)
		FUZZ_CHECK(*s.expiresAt > 0);

	switch (s.state) {
	case TaskState::Succeeded:
		// A success always names a video the client may download.
		FUZZ_CHECK(!s.videoUrl.empty());
		FUZZ_CHECK(!core::checkUrlAllowed(s.videoUrl));
		FUZZ_CHECK(!s.failure);
		break;
	case TaskState::Failed:
		// A failure always says why, and which task.
		fuzz::checkError(s.failure);
		FUZZ_CHECK(s.failure.kind == core::ErrorKind::GenerationFailed ||
			   s.failure.kind == core::ErrorKind::ContentRejected);
		FUZZ_CHECK(s.failure.args.count("task") && s.failure.args.at("task") == s.id);
		break;
	case TaskState::Waiting:
		FUZZ_CHECK(!s.failure);
		break;
	}
}

bool sameSnapshot(const core::TaskSnapshot &a, const core::TaskSnapshot &b)
{
	return a.id == b.id && a.state == b.state && a.status == b.status && a.progress == b.progress &&
	       a.createdAt == b.createdAt && a.completedAt == b.completedAt && a.expiresAt == b.expiresAt &&
	       a.videoUrl == b.videoUrl && a.lastFrameUrl == b.lastFrameUrl && a.failure.kind == b.failure.kind &&
	       a.failure.messageKey == b.failure.messageKey;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	fuzz::init();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
	core::HttpResponse r = fuzz::responseFromInput(data, size);

	auto created = core::parseTaskResponse(r, Operation::Create);
	auto queried = core::parseTaskResponse(r, Operation::Query);
	if (created) {
		FUZZ_CHECK(r.success());
		checkSnapshot(*created);
	} else {
		fuzz::checkError(created.error());
	}
	// Create and query answers share one reader and mean the same. The one deliberate difference: a create answer
	// with an id but no status still yields its (billed) task, as queued, where a query answer without one is
	// unreadable.
	if (created && !queried) {
		FUZZ_CHECK(created->status == "queued" && created->state == TaskState::Waiting);
		FUZZ_CHECK(queried.error().kind == core::ErrorKind::BadResponse);
	} else {
		FUZZ_CHECK(created.ok() == queried.ok());
		if (created) {
			FUZZ_CHECK(sameSnapshot(*created, *queried));
		} else {
			FUZZ_CHECK(created.error().kind == queried.error().kind);
			FUZZ_CHECK(created.error().messageKey == queried.error().messageKey);
		}
	}

	// A non-2xx answer or a transport error is the failure errorFromResponse describes, whatever the body says.
	if (!r.success()) {
		FUZZ_CHECK(!created &&
			   created.error().messageKey == core::errorFromResponse(r, Operation::Create).messageKey);
		FUZZ_CHECK(!queried &&
			   queried.error().messageKey == core::errorFromResponse(r, Operation::Query).messageKey);
	}
	// Any answer can be read as the failure of any operation (the runner does so for a download, for example).
	// Most operations give the same error: the full check (a journal round trip) runs once per distinct one.
	std::set<std::string> checked;
	for (Operation op :
	     {Operation::Upload, Operation::Create, Operation::Query, Operation::Download, Operation::Models}) {
		core::Error e = core::errorFromResponse(r, op);
		if (checked.insert(e.messageKey).second)
			fuzz::checkError(e);
		if (r.transportOk())
			FUZZ_CHECK(e.httpStatus == r.status);
	}

	if (auto wait = r.retryAfterSeconds())
		FUZZ_CHECK(std::isfinite(*wait) && *wait >= 0 && *wait <= 86400);

	fuzz::checkDepthGuard(r.body);
	return 0;
}
