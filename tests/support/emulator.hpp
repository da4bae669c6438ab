// Test fixture: the loopback ToAPIs emulator (tests/emulator) as a child process, with its admin API.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace seedance::test {

class Emulator {
public:
	static constexpr const char *kKey = "sk-test-EMULATORKEY-0123456789abcdef";

	// Starts the emulator on a free port; `extraArgs` go to its command line (e.g. --clip-mode from-frame).
	explicit Emulator(std::vector<std::string> extraArgs = {});
	~Emulator();
	Emulator(const Emulator &) = delete;
	Emulator &operator=(const Emulator &) = delete;

	int port() const { return port_; }
	std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
	std::string key() const { return kKey; }

	nlohmann::json admin(const std::string &method, const std::string &path, const nlohmann::json &body = nullptr);
	void scenario(const nlohmann::json &fields) { admin("POST", "/_emu/scenario", fields); }
	void script(const std::string &endpoint, const nlohmann::json &responses)
	{
		admin("POST", "/_emu/script", {{"endpoint", endpoint}, {"responses", responses}});
	}
	void reset() { admin("POST", "/_emu/reset", nlohmann::json::object()); }
	nlohmann::json requests() { return admin("GET", "/_emu/requests")["requests"]; }
	// Requests to one endpoint ("upload", "create", "query", "download", "models").
	std::vector<nlohmann::json> requestsTo(const std::string &endpoint);
	nlohmann::json tasks() { return admin("GET", "/_emu/tasks")["tasks"]; }
	nlohmann::json task(const std::string &id) { return admin("GET", "/_emu/tasks/" + id); }

	// Stops the emulator (SIGTERM, then SIGKILL); also done by the destructor.
	void stop();
	// The emulator's stderr (one line per request), for assertions that nothing secret was printed.
	std::string log() const;

private:
	int pid_ = -1;
	int port_ = 0;
	std::string logPath_;
};

// Reads a whole file (tests only).
std::string readAll(const std::string &path);
std::string sha256Hex(const std::string &data);
// A fresh temporary folder, removed by the destructor.
class TempDir {
public:
	TempDir();
	~TempDir();
	const std::string &path() const { return path_; }
	std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
	std::string path_;
};

} // namespace seedance::test
