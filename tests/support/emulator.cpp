// Emulator fixture: fork/exec python3 tests/emulator/toapis_emulator.py, read "LISTENING <port>".
#include "emulator.hpp"

#include "core/cancel-token.hpp"
#include "core/http-client.hpp"

#include <openssl/sha.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace seedance::test {

namespace {
core::HttpEngine &adminEngine()
{
	static core::HttpEngine engine("seedance-tests");
	return engine;
}
} // namespace

Emulator::Emulator(std::vector<std::string> extraArgs)
{
	char logTemplate[] = "/tmp/seedance-emulator-XXXXXX.log";
	int logFd = mkstemps(logTemplate, 4);
	if (logFd < 0)
		throw std::runtime_error("cannot create emulator log");
	logPath_ = logTemplate;

	int out[2];
	if (pipe(out) != 0)
		throw std::runtime_error("pipe failed");

	std::vector<std::string> args = {SEEDANCE_PYTHON, SEEDANCE_EMULATOR_SCRIPT, "--port", "0", "--key", kKey};
	args.insert(args.end(), extraArgs.begin(), extraArgs.end());
	std::vector<char *> argv;
	for (auto &a : args)
		argv.push_back(a.data());
	argv.push_back(nullptr);

	pid_t parent = getpid();
	pid_ = fork();
	if (pid_ < 0)
		throw std::runtime_error("fork failed");
	if (pid_ == 0) {
		// The emulator dies with the test, even if the test crashes.
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		dup2(out[1], STDOUT_FILENO);
		dup2(logFd, STDERR_FILENO);
		close(out[0]);
		close(out[1]);
		execv(argv[0], argv.data());
		_exit(127);
	}
	close(out[1]);
	close(logFd);

	std::string line;
	char c;
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
	while (std::chrono::steady_clock::now() < deadline) {
		ssize_t n = read(out[0], &c, 1);
		if (n <= 0)
			break;
		if (c == '\n')
			break;
		line += c;
	}
	close(out[0]);
	if (line.rfind("LISTENING ", 0) != 0) {
		stop();
		throw std::runtime_error("emulator did not start: " + log());
	}
	port_ = std::stoi(line.substr(10));
}

Emulator::~Emulator()
{
	stop();
	std::remove(logPath_.c_str());
}

void Emulator::stop()
{
	if (pid_ <= 0)
		return;
	kill(pid_, SIGTERM);
	for (int i = 0; i < 50; ++i) {
		if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
			pid_ = -1;
			return;
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	}
	kill(pid_, SIGKILL);
	waitpid(pid_, nullptr, 0);
	pid_ = -1;
}

std::string Emulator::log() const
{
	return readAll(logPath_);
}

nlohmann::json Emulator::admin(const std::string &method, const std::string &path, const nlohmann::json &body)
{
	core::HttpRequest r;
	r.method = method;
	r.url = baseUrl() + path;
	r.maxResponseBytes = 64u << 20;
	r.totalTimeout = std::chrono::milliseconds(200000);
	if (!body.is_null()) {
		r.body = body.dump();
		r.headers.push_back("Content-Type: application/json");
	}
	auto response = adminEngine().perform(r);
	if (!response.transportOk())
		throw std::runtime_error("emulator admin " + path + ": " + response.errorDetail);
	if (response.status >= 300)
		throw std::runtime_error("emulator admin " + path + ": HTTP " + std::to_string(response.status) + " " +
					 response.body);
	if (response.body.empty() || response.body == "ok")
		return nlohmann::json::object();
	return nlohmann::json::parse(response.body);
}

std::vector<nlohmann::json> Emulator::requestsTo(const std::string &endpoint)
{
	std::vector<nlohmann::json> out;
	for (const auto &r : requests())
		if (r.value("endpoint", nlohmann::json()).is_string() && r["endpoint"] == endpoint)
			out.push_back(r);
	return out;
}

std::string readAll(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::ostringstream s;
	s << in.rdbuf();
	return s.str();
}

std::string sha256Hex(const std::string &data)
{
	unsigned char digest[SHA256_DIGEST_LENGTH];
	SHA256(reinterpret_cast<const unsigned char *>(data.data()), data.size(), digest);
	static const char *hex = "0123456789abcdef";
	std::string out;
	for (unsigned char b : digest) {
		out += hex[b >> 4];
		out += hex[b & 15];
	}
	return out;
}

TempDir::TempDir()
{
	char tmpl[] = "/tmp/seedance-test-XXXXXX";
	if (!mkdtemp(tmpl))
		throw std::runtime_error("mkdtemp failed");
	path_ = tmpl;
}

TempDir::~TempDir()
{
	std::error_code ec;
	std::filesystem::remove_all(path_, ec);
}

} // namespace seedance::test
