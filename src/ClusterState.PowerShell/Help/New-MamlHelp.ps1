#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Generates the module's MAML help (ClusterState.PowerShell.dll-Help.xml) at build time.
.DESCRIPTION
    platyPS and XmlDoc2CmdletDoc are not available here, so the build writes MAML itself from
    three sources that cannot drift from the code:
      * the built module's command metadata (parameter sets, types, positions, pipeline input,
        aliases, wildcards, output types), read with Get-Command;
      * the C# XML documentation of each cmdlet class and parameter property
        (<para type="synopsis"> and <para type="description"> as in XmlDoc2CmdletDoc);
      * docs/help/<Cmdlet>.md for the examples (### title, a ```powershell block, then remarks).
    Runs in its own pwsh: it imports the built module, which locks its dll.
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $ExamplesPath,
    [Parameter(Mandatory)][string] $OutFile
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module $ModulePath -PassThru
$xmlDocPath = Join-Path $module.ModuleBase 'ClusterState.PowerShell.xml'
if (-not (Test-Path $xmlDocPath)) { throw "The XML documentation '$xmlDocPath' is missing: build with GenerateDocumentationFile." }
$xmlDoc = [xml](Get-Content -Raw $xmlDocPath)
$members = @{}
foreach ($m in $xmlDoc.doc.members.member) { $members[$m.name] = $m }

$common = [System.Collections.Generic.HashSet[string]]::new([string[]](
        [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters))

function Get-DocParagraph([string] $MemberName, [string] $Type) {
    $member = $members[$MemberName]
    if (-not $member) { return @() }
    $paras = @($member.SelectNodes('.//para') | Where-Object { $_.GetAttribute('type') -eq $Type })
    if ($paras.Count -eq 0 -and $Type -eq 'description' -and $member.summary) {
        return @(($member.summary.InnerText -replace '\s+', ' ').Trim())
    }
    return @($paras | ForEach-Object { ($_.InnerText -replace '\s+', ' ').Trim() })
}

function Get-Examples([string] $Name) {
    $file = Join-Path $ExamplesPath "$Name.md"
    if (-not (Test-Path $file)) { throw "No examples for ${Name}: '$file' is missing." }
    $text = Get-Content -Raw $file
    $pattern = '(?ms)^###\s+(?<title>[^\r\n]+)\s*```powershell\r?\n(?<code>.*?)```(?<remarks>.*?)(?=^###\s|\z)'
    foreach ($m in [regex]::Matches($text, $pattern)) {
        [pscustomobject]@{
            Title   = $m.Groups['title'].Value.Trim()
            Code    = $m.Groups['code'].Value.TrimEnd()
            Remarks = ($m.Groups['remarks'].Value -replace '\s+', ' ').Trim()
        }
    }
}

function Get-TypeName([type] $Type) {
    if ($Type -eq [System.Management.Automation.SwitchParameter]) { return 'SwitchParameter' }
    $nullable = [Nullable]::GetUnderlyingType($Type)
    if ($nullable) { $Type = $nullable }
    return $Type.Name
}

$maml = 'http://schemas.microsoft.com/maml/2004/10'
$cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
New-Item -ItemType Directory -Force (Split-Path $OutFile) | Out-Null
$w = [System.Xml.XmlWriter]::Create($OutFile, $settings)

function Write-Para([string] $Text) { $w.WriteElementString('para', $maml, $Text) }

function Write-Parameter($Name, $Param, $SetParam, [string] $Description) {
    $attributes = $Param.Attributes
    $pipeline = @()
    if ($SetParam.ValueFromPipeline) { $pipeline += 'ByValue' }
    if ($SetParam.ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
    $w.WriteStartElement('command', 'parameter', $cmd)
    $w.WriteAttributeString('required', $SetParam.IsMandatory.ToString().ToLowerInvariant())
    $w.WriteAttributeString('variableLength', $Param.ParameterType.IsArray.ToString().ToLowerInvariant())
    $globbing = [bool]($attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $w.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
    $w.WriteAttributeString('position', $(if ($SetParam.Position -ge 0) { [string]$SetParam.Position } else { 'named' }))
    $w.WriteAttributeString('aliases', $(if ($Param.Aliases.Count) { $Param.Aliases -join ', ' } else { 'none' }))
    $w.WriteElementString('name', $maml, $Name)
    $w.WriteStartElement('description', $maml); Write-Para $Description; $w.WriteEndElement()
    $typeName = Get-TypeName $Param.ParameterType
    if ($typeName -ne 'SwitchParameter') {
        $w.WriteStartElement('command', 'parameterValue', $cmd)
        $w.WriteAttributeString('required', 'true')
        $w.WriteAttributeString('variableLength', $Param.ParameterType.IsArray.ToString().ToLowerInvariant())
        $w.WriteString($typeName)
        $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('name', $maml, $typeName); $w.WriteEndElement()
    $w.WriteElementString('dev', 'defaultValue', $dev, 'None')
    $w.WriteEndElement()
}

$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
$commands = Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name
foreach ($c in $commands) {
    $type = $c.ImplementingType
    $typeKey = "T:$($type.FullName)"
    $synopsis = @(Get-DocParagraph $typeKey 'synopsis')
    $description = @(Get-DocParagraph $typeKey 'description')
    if ($synopsis.Count -eq 0) { throw "$($c.Name) has no <para type=""synopsis""> in its XML documentation." }
    $params = $c.Parameters.Values | Where-Object { -not $common.Contains($_.Name) } | Sort-Object Name
    $paramDocs = @{}
    foreach ($p in $params) {
        $property = $type.GetProperty($p.Name)
        $doc = @(Get-DocParagraph "P:$($property.DeclaringType.FullName).$($p.Name)" 'description')
        if ($doc.Count -eq 0) { throw "$($c.Name) -$($p.Name) has no description in its XML documentation." }
        $paramDocs[$p.Name] = $doc -join ' '
    }

    $w.WriteStartElement('command', 'command', $cmd)
    $w.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $w.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $w.WriteStartElement('command', 'details', $cmd)
    $w.WriteElementString('command', 'name', $cmd, $c.Name)
    $w.WriteElementString('command', 'verb', $cmd, $c.Verb)
    $w.WriteElementString('command', 'noun', $cmd, $c.Noun)
    $w.WriteStartElement('description', $maml); $synopsis | ForEach-Object { Write-Para $_ }; $w.WriteEndElement()
    $w.WriteEndElement()
    $w.WriteStartElement('description', $maml); ($description ?? $synopsis) | ForEach-Object { Write-Para $_ }; $w.WriteEndElement()

    $w.WriteStartElement('command', 'syntax', $cmd)
    foreach ($set in $c.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $cmd)
        $w.WriteElementString('name', $maml, $c.Name)
        foreach ($sp in $set.Parameters | Where-Object { -not $common.Contains($_.Name) }) {
            Write-Parameter $sp.Name $c.Parameters[$sp.Name] $sp $paramDocs[$sp.Name]
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $cmd)
    foreach ($p in $params) {
        $first = $c.ParameterSets | ForEach-Object { $_.Parameters } | Where-Object Name -eq $p.Name | Select-Object -First 1
        Write-Parameter $p.Name $p $first $paramDocs[$p.Name]
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'inputTypes', $cmd)
    $inputs = $params | Where-Object { $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) } }
    foreach ($p in $inputs) {
        $w.WriteStartElement('command', 'inputType', $cmd)
        $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('name', $maml, $p.ParameterType.FullName); $w.WriteEndElement()
        $w.WriteStartElement('description', $maml); Write-Para "Bound to -$($p.Name) from the pipeline."; $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'returnValues', $cmd)
    foreach ($o in $c.OutputType) {
        $w.WriteStartElement('command', 'returnValue', $cmd)
        $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('name', $maml, $o.Name); $w.WriteEndElement()
        $w.WriteStartElement('description', $maml); Write-Para ''; $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'examples', $cmd)
    $i = 0
    foreach ($e in Get-Examples $c.Name) {
        $i++
        $w.WriteStartElement('command', 'example', $cmd)
        $w.WriteElementString('title', $maml, "-------------------------- Example ${i}: $($e.Title) --------------------------")
        $w.WriteElementString('dev', 'code', $dev, $e.Code)
        $w.WriteStartElement('dev', 'remarks', $dev); Write-Para $e.Remarks; $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $cmd)
    $w.WriteStartElement('navigationLink', $maml); $w.WriteElementString('linkText', $maml, 'about_ClusterState'); $w.WriteElementString('uri', $maml, ''); $w.WriteEndElement()
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.Dispose()
Write-Host "Help for $(@($commands).Count) cmdlets written to $OutFile"
