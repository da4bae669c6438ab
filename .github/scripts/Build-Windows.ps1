# Builds the Windows x64 plugin as CI does, with preset windows-ci-x64 (Visual Studio 2022; .deps set up by
# cmake/windows/buildspec.cmake on the first configure), then installs it into release\ and zips the plugin folder,
# <name>\bin\64bit\<name>.dll and <name>\data\, ready to unpack into %ProgramData%\obs-studio\plugins.
#
# Usage: .github/scripts/Build-Windows.ps1 [-Target x64] [-Configuration RelWithDebInfo|Release|Debug|MinSizeRel]
#                                          [-NoPackage]
[CmdletBinding()]
param(
    [ValidateSet('x64')]
    [string] $Target = 'x64',
    [ValidateSet('Debug', 'RelWithDebInfo', 'Release', 'MinSizeRel')]
    [string] $Configuration = 'RelWithDebInfo',
    [switch] $NoPackage
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if ( $env:RUNNER_DEBUG ) {
    Set-PSDebug -Trace 1
}

function Invoke-Step {
    param(
        [Parameter(Mandatory)] [string] $Label,
        [Parameter(Mandatory)] [scriptblock] $Command
    )
    Write-Output "::group::$Label"
    & $Command
    $ExitCode = $LASTEXITCODE
    Write-Output '::endgroup::'
    if ( $ExitCode -ne 0 ) {
        throw "$Label failed with exit code $ExitCode"
    }
}

$ProjectRoot = (Resolve-Path -Path "$PSScriptRoot/../..").Path
$BuildSpec = Get-Content -Path "$ProjectRoot/buildspec.json" -Raw | ConvertFrom-Json
$Name = $BuildSpec.name
$Version = $BuildSpec.version
$Preset = "windows-ci-$Target"
$BuildDir = "build_$Target"

Push-Location -Path $ProjectRoot
try {
    Invoke-Step -Label "Configure ($Preset)" -Command { cmake --preset $Preset }
    Invoke-Step -Label "Build ($Configuration)" -Command {
        cmake --build --preset $Preset --config $Configuration --parallel
    }

    if ( -not $NoPackage ) {
        $Stage = Join-Path $ProjectRoot "release/$Configuration"
        if ( Test-Path -Path $Stage ) {
            Remove-Item -Path $Stage -Recurse -Force
        }
        Invoke-Step -Label 'Install' -Command {
            cmake --install $BuildDir --config $Configuration --prefix $Stage
        }
        $Archive = Join-Path $ProjectRoot "release/$Name-$Version-windows-$Target.zip"
        Compress-Archive -Path (Join-Path $Stage $Name) -DestinationPath $Archive -Force
        Write-Output "Packed $Archive"
    }
} finally {
    Pop-Location
}
