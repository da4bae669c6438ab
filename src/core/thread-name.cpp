#include "thread-name.hpp"

#if defined(_WIN32)
#include <windows.h>

#include <string>
#elif defined(__APPLE__) || defined(__linux__)
#include <pthread.h>
#endif

namespace seedance::core {

void setThreadName(const char *name)
{
#if defined(_WIN32)
	// SetThreadDescription exists from Windows 10 1607; look it up rather than require it.
	using SetDescription = HRESULT(WINAPI *)(HANDLE, PCWSTR);
	static auto setDescription = reinterpret_cast<SetDescription>(
		reinterpret_cast<void *>(GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "SetThreadDescription")));
	if (setDescription) {
		std::wstring wide(name, name + std::char_traits<char>::length(name));
		setDescription(GetCurrentThread(), wide.c_str());
	}
#elif defined(__APPLE__)
	pthread_setname_np(name);
#elif defined(__linux__)
	pthread_setname_np(pthread_self(), name);
#else
	(void)name;
#endif
}

} // namespace seedance::core
