// obs-websocket vendor requests through obs-websocket's proc handler (the documented vendor API, without the
// header: it is not in libobs-dev).
#include "websocket-vendor.hpp"

#include "core/log.hpp"
#include "core/text.hpp"

#include <nlohmann/json.hpp>
#include <obs.hpp>

#include <chrono>
#include <cmath>
#include <optional>
#include <set>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace seedance::obs {

using nlohmann::json;

// The callback struct obs-websocket copies when a request type is registered.
struct ObsWebSocketRequestCallback {
	void (*callback)(obs_data_t *, obs_data_t *, void *);
	void *priv_data;
};

struct WebSocketVendor::Route {
	WebSocketVendor *self;
	std::string type;
	json (WebSocketVendor::*handler)(const json &);
};

namespace {

// OBS's heap as glibc's allocator sees it, summed over every arena (for the benchmark's memory rows). RSS alone
// cannot tell memory in use from freed pages an arena keeps for later; this can.
std::optional<json> heapUsage()
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	const struct mallinfo2 m = mallinfo2();
	auto mib = [](size_t bytes) {
		return static_cast<double>(bytes) / (1024.0 * 1024.0);
	};
	return json{{"in_use_mib", mib(m.uordblks)},    // allocated and not freed (arenas)
		    {"free_kept_mib", mib(m.fordblks)}, // freed, still in the arenas
		    {"mmapped_mib", mib(m.hblkhd)}};    // large blocks mapped on their own
#else
	return std::nullopt;
#endif
}

json failure(const std::string &code, const std::string &message)
{
	return {{"error", {{"code", code}, {"message", message}}}};
}

json failure(const core::Error &e)
{
	return failure(core::errorKindName(e.kind), core::userMessage(e));
}

json invalid(const std::string &message)
{
	return failure("invalid_input", message);
}

std::string text(const std::string &key, const std::map<std::string, std::string> &args = {})
{
	return core::fillPlaceholders(core::text(key), args);
}

std::int64_t nowMs()
{
	using namespace std::chrono;
	return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool sourceExists(const std::string &name, bool sceneOnly = false, const char *id = nullptr)
{
	OBSSourceAutoRelease source = obs_get_source_by_name(name.c_str());
	if (!source)
		return false;
	if (sceneOnly && !obs_scene_from_source(source))
		return false;
	if (id && std::string(obs_source_get_id(source)) != id)
		return false;
	return true;
}

} // namespace

WebSocketVendor::WebSocketVendor(VendorHost host) : host_(std::move(host)) {}

WebSocketVendor::~WebSocketVendor()
{
	detach();
}

bool WebSocketVendor::registerRequests()
{
	proc_handler_t *global = obs_get_proc_handler();
	calldata_t cd = {};
	if (!global || !proc_handler_call(global, "obs_websocket_api_get_ph", &cd)) {
		calldata_free(&cd);
		core::logInfo("obs-websocket is not available: the obs-seedance vendor requests are not registered");
		return false;
	}
	ph_ = static_cast<proc_handler_t *>(calldata_ptr(&cd, "ph"));
	calldata_free(&cd);
	if (!ph_)
		return false;

	cd = {};
	calldata_set_string(&cd, "name", kVendorName);
	proc_handler_call(ph_, "vendor_register", &cd);
	vendor_ = calldata_ptr(&cd, "vendor");
	calldata_free(&cd);
	if (!vendor_) {
		core::logWarning("obs-websocket refused the vendor name obs-seedance");
		return false;
	}

	routes_.push_back(std::make_unique<Route>(Route{this, "Generate", &WebSocketVendor::handleGenerate}));
	routes_.push_back(std::make_unique<Route>(Route{this, "GetJob", &WebSocketVendor::handleGetJob}));
	routes_.push_back(std::make_unique<Route>(Route{this, "ListJobs", &WebSocketVendor::handleListJobs}));
	routes_.push_back(std::make_unique<Route>(Route{this, "CancelJob", &WebSocketVendor::handleCancelJob}));
	routes_.push_back(
		std::make_unique<Route>(Route{this, "GetDiagnostics", &WebSocketVendor::handleGetDiagnostics}));
	for (const auto &route : routes_) {
		ObsWebSocketRequestCallback callback{dispatch, route.get()};
		cd = {};
		calldata_set_ptr(&cd, "vendor", vendor_);
		calldata_set_string(&cd, "type", route->type.c_str());
		calldata_set_ptr(&cd, "callback", &callback);
		proc_handler_call(ph_, "vendor_request_register", &cd);
		if (!calldata_bool(&cd, "success"))
			core::logWarning("could not register the obs-websocket request " + route->type);
		calldata_free(&cd);
	}
	core::logInfo("obs-websocket vendor obs-seedance registered (Generate, GetJob, ListJobs, CancelJob)");
	return true;
}

void WebSocketVendor::unregisterRequests()
{
	if (!vendor_ || !ph_)
		return;
	for (const auto &route : routes_) {
		calldata_t cd = {};
		calldata_set_ptr(&cd, "vendor", vendor_);
		calldata_set_string(&cd, "type", route->type.c_str());
		proc_handler_call(ph_, "vendor_request_unregister", &cd);
		calldata_free(&cd);
	}
	vendor_ = nullptr;
}

void WebSocketVendor::dispatch(obs_data_t *request, obs_data_t *response, void *priv)
{
	auto *route = static_cast<Route *>(priv);
	json req = json::parse(request ? obs_data_get_json(request) : "{}", nullptr, false);
	json res;
	try {
		res = (route->self->*route->handler)(req.is_discarded() ? json::object() : req);
	} catch (const std::exception &e) {
		// Never let an exception cross into obs-websocket's thread pool.
		core::logError("obs-websocket " + route->type + ": " + e.what());
		res = failure("internal", text("Error.Internal"));
	}
	OBSDataAutoRelease data = obs_data_create_from_json(res.dump().c_str());
	if (data)
		obs_data_apply(response, data);
}

json WebSocketVendor::handleGenerate(const json &req)
{
	core::JobRunner *runner = host_.runner ? host_.runner() : nullptr;
	if (!runner)
		return failure("not_ready", text("Error.NotRunning"));
	auto choices = core::choicesFromGenerateRequest(req);
	if (!choices)
		return failure(choices.error());
	core::SpecChoices &c = *choices;
	// What only OBS knows: do the named sources, scenes and slots exist?
	if (!c.firstFrame.source.empty() && !sourceExists(c.firstFrame.source))
		return invalid(text("Error.Capture.NoSource", {{"source", c.firstFrame.source}}));
	if (c.lastFrame && !c.lastFrame->source.empty() && !sourceExists(c.lastFrame->source))
		return invalid(text("Error.Capture.NoSource", {{"source", c.lastFrame->source}}));
	if (c.target.kind == core::JobTarget::Kind::Slot && !sourceExists(c.target.name, false, "seedance_clip"))
		return invalid(text("Error.Ws.NoSlot", {{"slot", c.target.name}}));
	if (c.target.kind == core::JobTarget::Kind::Scene && !c.target.name.empty() &&
	    !sourceExists(c.target.name, true))
		return invalid(text("Error.Ws.NoScene", {{"scene", c.target.name}}));
	if (c.target.kind == core::JobTarget::Kind::Scene && c.target.name.empty())
		c.target.name = host_.currentSceneName ? host_.currentSceneName() : std::string();

	auto spec = core::buildJobSpec(host_.defaults ? host_.defaults() : core::SpecDefaults{}, c);
	if (!spec)
		return failure(spec.error());
	auto id = runner->submit(*spec);
	if (!id)
		return failure(id.error());
	return {{"job_id", *id}};
}

json WebSocketVendor::handleGetJob(const json &req)
{
	core::JobRunner *runner = host_.runner ? host_.runner() : nullptr;
	if (!runner)
		return failure("not_ready", text("Error.NotRunning"));
	if (!req.is_object() || !req.contains("job_id") || !req["job_id"].is_string())
		return invalid(text("Error.Ws.Missing", {{"field", "job_id"}}));
	auto job = runner->job(req["job_id"].get<std::string>());
	if (!job)
		return failure("not_found", text("Error.NoSuchJob", {{"job", req["job_id"].get<std::string>()}}));
	return core::jobToPublicJson(*job);
}

json WebSocketVendor::handleListJobs(const json &)
{
	core::JobRunner *runner = host_.runner ? host_.runner() : nullptr;
	if (!runner)
		return failure("not_ready", text("Error.NotRunning"));
	json jobs = json::array();
	for (const auto &job : runner->jobs())
		jobs.push_back(core::jobToPublicJson(job));
	return {{"jobs", jobs}};
}

json WebSocketVendor::handleCancelJob(const json &req)
{
	core::JobRunner *runner = host_.runner ? host_.runner() : nullptr;
	if (!runner)
		return failure("not_ready", text("Error.NotRunning"));
	if (!req.is_object() || !req.contains("job_id") || !req["job_id"].is_string())
		return invalid(text("Error.Ws.Missing", {{"field", "job_id"}}));
	std::string id = req["job_id"].get<std::string>();
	if (core::Error e = runner->cancel(id))
		return e.messageKey == "Error.NoSuchJob" ? failure("not_found", core::userMessage(e)) : failure(e);
	auto job = runner->job(id);
	return job ? core::jobToPublicJson(*job) : json::object();
}

json WebSocketVendor::handleGetDiagnostics(const json &req)
{
	bool reset = false;
	if (req.is_object() && req.contains("reset")) {
		if (!req["reset"].is_boolean())
			return invalid(text("Error.Ws.FieldType", {{"field", "reset"}, {"type", "boolean"}}));
		reset = req["reset"].get<bool>();
	}
	core::JobRunner *runner = host_.runner ? host_.runner() : nullptr;
	json d = {{"running", runner != nullptr}};
	if (runner) {
		int active = 0, total = 0;
		for (const auto &job : runner->jobs()) {
			++total;
			active += core::isTerminal(job.state) ? 0 : 1;
		}
		d["jobs_active"] = active;
		d["jobs_total"] = total;
	}
	if (auto heap = heapUsage())
		d["malloc"] = *heap;
	auto probe = host_.uiProbe ? host_.uiProbe(reset) : std::nullopt;
	d["ui_stall_probe"] = probe.has_value();
	if (probe) {
		d["longest_ui_gap_ms"] = probe->longestGapMs;
		d["window_ms"] = probe->windowMs;
	}
	return d;
}

void WebSocketVendor::attach(core::JobRunner *runner)
{
	detach();
	attached_ = runner;
	if (runner)
		listener_ = runner->subscribe([this](const core::Job &job) { emitJobUpdated(job); });
}

void WebSocketVendor::detach()
{
	if (attached_ && listener_)
		attached_->unsubscribe(listener_);
	attached_ = nullptr;
	listener_ = 0;
}

void WebSocketVendor::emitJobUpdated(const core::Job &job)
{
	if (!vendor_ || !ph_)
		return;
	{
		// Every state change goes out; progress within a state at most once a second per job.
		std::lock_guard<std::mutex> lock(emitMutex_);
		auto &[state, when] = lastEmitted_[job.id];
		std::int64_t now = nowMs();
		bool stateChanged = state != job.state || when == 0;
		if (!stateChanged && now - when < 1000)
			return;
		state = job.state;
		when = now;
	}
	OBSDataAutoRelease data = obs_data_create_from_json(core::jobToPublicJson(job).dump().c_str());
	calldata_t cd = {};
	calldata_set_ptr(&cd, "vendor", vendor_);
	calldata_set_string(&cd, "type", "JobUpdated");
	calldata_set_ptr(&cd, "data", data.Get());
	proc_handler_call(ph_, "vendor_event_emit", &cd);
	calldata_free(&cd);
}

} // namespace seedance::obs
