// Fuzz target: the image upload answer (parseUploadResponse), including the {success:false} envelope that some
// deployments send with HTTP 200. Input: an HTTP response in the format of fuzz-support.hpp.
#include "fuzz-support.hpp"

using namespace seedance;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	fuzz::init();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
	core::HttpResponse r = fuzz::responseFromInput(data, size);
	auto upload = core::parseUploadResponse(r);
	if (upload) {
		FUZZ_CHECK(r.success());
		// The URL goes into the create body as the frame: it must be one the provider is allowed to fetch from
		// us only over https (or loopback in tests).
		FUZZ_CHECK(!upload->url.empty());
		FUZZ_CHECK(!core::checkUrlAllowed(upload->url));
		std::string scheme = fuzz::lower(upload->url.substr(0, upload->url.find(':')));
		FUZZ_CHECK(scheme == "https" || scheme == "http");
	} else {
		const core::Error &e = upload.error();
		fuzz::checkError(e);
		if (!r.success())
			FUZZ_CHECK(e.messageKey == core::errorFromResponse(r, core::Operation::Upload).messageKey);
		else
			// A refusal sent with HTTP 200 ({"success": false}) is the user's input refused: too large when the
			// provider says so, else refused with the provider's words.
			FUZZ_CHECK(
				e.kind == core::ErrorKind::BadResponse ||
				(e.kind == core::ErrorKind::InvalidInput &&
				 (e.messageKey == "Error.UploadRefused" || e.messageKey == "Error.Upload.TooLarge")));
	}
	fuzz::checkDepthGuard(r.body);
	return 0;
}
