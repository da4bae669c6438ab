// A real ToApisClient over loopback against the emulator, with fast retry and poll timings.
#pragma once

#include "emulator.hpp"
#include "png.hpp"

#include "core/toapis-client.hpp"

namespace seedance::test {

inline core::PollConfig fastPoll()
{
	core::PollConfig p;
	p.firstDelay = 0.2;
	p.minInterval = 0.1;
	p.maxInterval = 0.5;
	p.blindInterval = 0.3;
	p.maxJitter = 0.05;
	p.landingMargin = 0.05;
	p.rateLimitMax = 3.0;
	p.deadline = 30.0;
	return p;
}

struct ClientFixture {
	Emulator emu;
	core::HttpEngine engine;
	TempDir dir;
	core::CancelToken cancel;
	core::ToApisClient client{engine, config()};

	explicit ClientFixture(std::vector<std::string> emulatorArgs = {}) : emu(std::move(emulatorArgs))
	{
		emu.scenario({{"queue_seconds", 0.2}, {"generate_seconds", 0.6}});
	}

	core::ClientConfig config() const
	{
		core::ClientConfig c;
		c.baseUrl = emu.baseUrl();
		c.apiKey = Emulator::kKey;
		c.retry.baseDelay = 0.05;
		c.retry.maxDelay = 0.4;
		c.connectTimeout = std::chrono::milliseconds(2000);
		c.requestTimeout = std::chrono::milliseconds(5000);
		c.stallTimeout = std::chrono::seconds(2);
		return c;
	}

	core::GenerationRequest request(const std::string &firstUrl = {})
	{
		core::GenerationRequest r;
		r.prompt = "the cat jumps over the sofa";
		r.firstFrameUrl = firstUrl;
		return r;
	}

	const core::ModelSpec &spec(const std::string &id = core::ModelCatalog::kDefaultModel)
	{
		return *core::ModelCatalog::builtin().find(id);
	}
};

} // namespace seedance::test
