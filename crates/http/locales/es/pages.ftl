# Páginas de Portico, español: lo que comparten todas las páginas tras iniciar sesión
# (navegación, errores, fechas), el panel, la cuenta y los tickets. Cada clave está en cada idioma.

nav-tickets = Tickets
nav-records = SCAR
nav-organizations = Organizaciones
nav-users = Usuarios
nav-licenses = Licencias
nav-reviews = Revisiones de acceso
nav-outbox = Bandeja de salida
nav-configuration = Configuración
nav-language = Idioma
sign-out = Cerrar sesión

error-title = No disponible
error-home = Inicio
error-nothing-here = Aquí no hay nada para usted.
error-invalid-data = Los datos enviados no se pueden usar. Revise el formulario e inténtelo de nuevo.
error-insufficient-access = No tiene permiso para hacer esto.
error-not-allowed = Esto no es posible en este momento.
error-limit-exceeded = Demasiados intentos. Espere un momento e inténtelo de nuevo.
error-conflict = Alguien ha cambiado esto al mismo tiempo. Vuelva a cargar la página e inténtelo de nuevo.
error-internal = Algo ha fallado por nuestra parte. Vuelva a intentarlo en un momento.
error-other = No se ha podido realizar esta acción.
form-expired-title = Formulario caducado
form-expired-text = Este formulario ha caducado o no procede de Portico. Vuelva atrás, recargue la página e inténtelo de nuevo.

table-empty = No hay nada aquí.
col-record = Expediente
col-type = Tipo
col-state = Estado

signature-legend = Firma electrónica
signature-affirm = Al firmar, usted declara:
signature-password = Su contraseña

date-today = hoy, { $time }
date-yesterday = ayer, { $time }
date-format = %d/%m/%Y, %H:%M
date-exact-format = %d/%m/%Y, %H:%M:%S %Z
due-today = vence hoy
due-in = { $days ->
    [1] vence mañana
   *[other] vence en { $days } días
}
overdue-by = { $days ->
    [0] vencida desde hoy
    [one] vencida hace { $days } día
   *[other] vencida hace { $days } días
}

status-open = Abierta
status-completed = Completada
status-cancelled = Cancelada
status-answered = Respondido

dashboard-title = Panel
dashboard-licenses = Licencias externas
dashboard-seats = { $active } de { $seats } plazas en uso, { $available } libres.
dashboard-waiting = En espera de la respuesta de un proveedor
dashboard-open-tasks = Tareas abiertas
dashboard-no-tasks = No hay tareas abiertas.

password-title = Cambiar su contraseña
password-one-time-intro = Ha iniciado sesión con una contraseña de un solo uso. Elija su propia contraseña para continuar.
password-one-time = Contraseña de un solo uso
password-current = Contraseña actual
password-new = Nueva contraseña
password-hint = Al menos 10 caracteres y difícil de adivinar: unas cuantas palabras poco comunes funcionan bien.
password-repeat-new = Repita la nueva contraseña
password-change = Cambiar contraseña
password-differ-new = Las dos contraseñas nuevas no coinciden.
password-changed-title = Su contraseña se ha cambiado
password-changed-text = Su nueva contraseña ya está en vigor. Se han cerrado las demás sesiones de su cuenta.
password-weak = Esta contraseña no se puede usar: elija una más larga y difícil de adivinar (unas cuantas palabras poco comunes funcionan bien).
continue = Continuar

language-title = Idioma de sus páginas
language-intro = Portico muestra sus páginas en el idioma que elija aquí o, si no elige ninguno, en el de su navegador.
language-browser = El idioma de mi navegador
language-save = Guardar
language-saved = Guardado.

tickets-title = Tickets
tickets-ask = Consultar a la empresa
ticket-kind = Tipo
ticket-support = Solicitud de soporte
ticket-service = Solicitud de servicio
ticket-subject = Asunto
ticket-body = Su solicitud
ticket-send = Enviar
ticket-answer-label = Respuesta:
ticket-answer = Responder
