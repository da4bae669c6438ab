// Fuzz target: the job journal (parseJournal / serializeJournal). A journal on disk may be truncated, edited or
// written by another version; reading it must never crash, and what is read must survive the next write:
// parse → serialise → parse gives the same jobs, and serialising again gives the same text.
#include "fuzz-support.hpp"

using namespace seedance;
using nlohmann::json;

namespace {

// Every job the runner gets from the journal satisfies what jobFromJson promises.
void checkJob(const core::Job &job)
{
	FUZZ_CHECK(!job.id.empty() && job.id.size() <= 64);
	FUZZ_CHECK(core::jobStateFromName(core::jobStateName(job.state)) == job.state);
	FUZZ_CHECK(core::jobStateFromName(core::jobStateName(job.stage)) == job.stage);
	FUZZ_CHECK(job.progress >= 0 && job.progress <= 100);
	if (job.error) {
		FUZZ_CHECK(!core::describe(job.error).empty());
		FUZZ_CHECK(!fuzz::contains(core::describe(job.error), fuzz::kSecret));
		FUZZ_CHECK(!fuzz::contains(core::userMessage(job.error), fuzz::kSecret));
	}
	// The public JSON (websocket vendor, CLI) is built from any journaled job.
	json pub = core::jobToPublicJson(job);
	FUZZ_CHECK(pub.at("job_id") == job.id);
	FUZZ_CHECK(!pub.dump().empty());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	fuzz::init();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
	std::string text(reinterpret_cast<const char *>(data), size);
	auto jobs = core::parseJournal(text);
	if (!jobs)
		return 0;
	for (const auto &job : *jobs)
		checkJob(job);

	std::string written = core::serializeJournal(*jobs);
	auto reread = core::parseJournal(written);
	FUZZ_CHECK(reread);
	FUZZ_CHECK(reread->size() == jobs->size());
	for (size_t i = 0; i < jobs->size(); ++i) {
		// Same jobs: everything the journal keeps of each (jobToJson is that definition) is equal.
		FUZZ_CHECK(core::jobToJson((*jobs)[i]) == core::jobToJson((*reread)[i]));
		FUZZ_CHECK((*jobs)[i].request.prompt == (*reread)[i].request.prompt);
		FUZZ_CHECK((*jobs)[i].error.kind == (*reread)[i].error.kind);
	}
	FUZZ_CHECK(core::serializeJournal(*reread) == written);
	return 0;
}
