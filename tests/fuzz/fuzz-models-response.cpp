// Fuzz target: the model list (parseModelsResponse, OpenAI-style {data:[{id}]} or a bare array) and the JSON
// depth guard in front of it. Input: an HTTP response in the format of fuzz-support.hpp.
#include "fuzz-support.hpp"

using namespace seedance;
using nlohmann::json;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	fuzz::init();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
	core::HttpResponse r = fuzz::responseFromInput(data, size);
	auto models = core::parseModelsResponse(r);
	if (models) {
		FUZZ_CHECK(r.success());
		for (const auto &id : *models) {
			// Ids are listed by the CLI and compared with the catalog: never empty, never unbounded.
			FUZZ_CHECK(!id.empty());
			FUZZ_CHECK(id.size() <= 120 + 3);
			FUZZ_CHECK(id.find('\n') == std::string::npos);
		}
	} else {
		fuzz::checkError(models.error());
		if (!r.success())
			FUZZ_CHECK(models.error().messageKey ==
				   core::errorFromResponse(r, core::Operation::Models).messageKey);
	}

	// Every well-formed list within the depth limit is accepted, and yields at most one id per entry.
	if (r.success() && !r.body.empty() && !core::jsonTooDeep(r.body)) {
		json j = json::parse(r.body, nullptr, false);
		const json *list = nullptr;
		if (!j.is_discarded() && j.is_array())
			list = &j;
		else if (!j.is_discarded() && j.is_object() && j.contains("data") && j["data"].is_array())
			list = &j["data"];
		if (list) {
			FUZZ_CHECK(models.ok());
			FUZZ_CHECK(models->size() <= list->size());
		}
	}
	fuzz::checkDepthGuard(r.body);
	return 0;
}
